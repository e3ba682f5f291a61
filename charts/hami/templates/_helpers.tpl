{{/* Names. */}}
{{- define "hami.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hami.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "hami.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "hami.scheduler" -}}
{{- printf "%s-scheduler" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hami.devicePlugin" -}}
{{- printf "%s-device-plugin" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hami.mockDevicePlugin" -}}
{{- printf "%s-mock-device-plugin" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hami.tlsSecret" -}}
{{- printf "%s-scheduler-tls" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret holding the placement seal key: the chart's own, or scheduler.ledger.existingSecret. */}}
{{- define "hami.sealSecret" -}}
{{- if .Values.scheduler.ledger.existingSecret -}}
{{- .Values.scheduler.ledger.existingSecret -}}
{{- else -}}
{{- printf "%s-scheduler-seal" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The users whose pod UPDATEs may change scheduler-owned annotations (hami.webhook.annotation-writers): our service
account, the device plugin's (it writes bind-phase and consumes devices-to-allocate), the mock plugin's, and
scheduler.admissionWebhook.extraAnnotationWriters. Empty when no device plugin of this release is known and none
is listed: then UPDATEs are not checked, since the webhook cannot tell the plugin's writes from anyone's.
*/}}
{{- define "hami.annotationWriters" -}}
{{- $ns := include "hami.namespace" . -}}
{{- $writers := list -}}
{{- if .Values.devicePlugin.enabled -}}
{{- $writers = append $writers (printf "system:serviceaccount:%s:%s" $ns (include "hami.devicePlugin" .)) -}}
{{- end -}}
{{- if .Values.mockDevicePlugin.enabled -}}
{{- $writers = append $writers (printf "system:serviceaccount:%s:%s" $ns (include "hami.mockDevicePlugin" .)) -}}
{{- end -}}
{{- $writers = concat $writers .Values.scheduler.admissionWebhook.extraAnnotationWriters -}}
{{- if $writers -}}
{{- prepend $writers (printf "system:serviceaccount:%s:%s" $ns (include "hami.scheduler" .)) | uniq | join "," -}}
{{- end -}}
{{- end -}}

{{- define "hami.webhookName" -}}
{{- printf "%s-webhook" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hami.certgen" -}}
{{- printf "%s-admission" (include "hami.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels. */}}
{{- define "hami.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hami.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hami.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "hami.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The pod label whose value names this release's scheduler replicas (hami.readiness.peer-label). */}}
{{- define "hami.peerLabel" -}}gpushare.dev/scheduler{{- end -}}

{{/*
An image reference: (dict "image" <registry/repository/tag> "global" .Values.global "tag" <fallback tag>).
global.imageRegistry replaces the image's registry.
*/}}
{{- define "hami.image" -}}
{{- $registry := .image.registry -}}
{{- if .global.imageRegistry -}}{{- $registry = .global.imageRegistry -}}{{- end -}}
{{- $tag := .image.tag | default .tag | toString | trim -}}
{{- if not $tag -}}{{- fail (printf "image %s has no tag" .image.repository) -}}{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "hami.extender.image" -}}
{{- include "hami.image" (dict "image" .Values.scheduler.extender.image "global" .Values.global "tag" .Chart.AppVersion) -}}
{{- end -}}

{{/* The certificate jobs run our own image unless scheduler.patch.image names another one. */}}
{{- define "hami.certgen.imageRoot" -}}
{{- if .Values.scheduler.patch.image.repository -}}
{{- toYaml .Values.scheduler.patch.image -}}
{{- else -}}
{{- toYaml .Values.scheduler.extender.image -}}
{{- end -}}
{{- end -}}

{{- define "hami.certgen.image" -}}
{{- include "hami.image" (dict "image" (include "hami.certgen.imageRoot" . | fromYaml) "global" .Values.global "tag" .Chart.AppVersion) -}}
{{- end -}}

{{- define "hami.devicePlugin.tag" -}}
{{- .Values.devicePlugin.image.tag | default .Values.global.imageTag | toString | trim -}}
{{- end -}}

{{- define "hami.devicePlugin.image" -}}
{{- include "hami.image" (dict "image" .Values.devicePlugin.image "global" .Values.global "tag" .Values.global.imageTag) -}}
{{- end -}}

{{- define "hami.monitor.image" -}}
{{- include "hami.image" (dict "image" .Values.devicePlugin.monitor.image "global" .Values.global "tag" .Values.global.imageTag) -}}
{{- end -}}

{{/* Pull secrets: (dict "images" (list ...) "global" .Values.global). */}}
{{- define "hami.pullSecrets" -}}
{{- $secrets := list -}}
{{- range .global.imagePullSecrets -}}{{- $secrets = append $secrets . -}}{{- end -}}
{{- range .images -}}{{- range .pullSecrets -}}{{- $secrets = append $secrets . -}}{{- end -}}{{- end -}}
{{- if $secrets }}
imagePullSecrets:
{{- range ($secrets | uniq) }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
kube-scheduler: the tag actually deployed (imageTag, else image.tag, else the cluster's version) and the
configuration format that version serves.
*/}}
{{- define "hami.kubeScheduler.tag" -}}
{{- $ks := .Values.scheduler.kubeScheduler -}}
{{- $tag := $ks.imageTag | default $ks.image.tag | toString | trim -}}
{{- if not $tag -}}
{{- $tag = regexReplaceAll "^(v[0-9]+\\.[0-9]+\\.[0-9]+).*$" .Capabilities.KubeVersion.Version "${1}" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{- define "hami.kubeScheduler.image" -}}
{{- $image := merge (dict "tag" (include "hami.kubeScheduler.tag" .)) (omit .Values.scheduler.kubeScheduler.image "tag") -}}
{{- include "hami.image" (dict "image" $image "global" .Values.global "tag" "") -}}
{{- end -}}

{{/* The minor version of the deployed kube-scheduler (1.x); fails on a tag without a version. */}}
{{- define "hami.kubeScheduler.minor" -}}
{{- $tag := include "hami.kubeScheduler.tag" . -}}
{{- $version := regexFind "^v?[0-9]+\\.[0-9]+" $tag | trimPrefix "v" -}}
{{- if not $version -}}
{{- fail (printf "scheduler.kubeScheduler.image.tag %q is not a version (vMAJOR.MINOR...): the chart picks the kube-scheduler configuration format from it" $tag) -}}
{{- end -}}
{{- $parts := splitList "." $version -}}
{{- if ne (index $parts 0) "1" -}}
{{- fail (printf "scheduler.kubeScheduler.image.tag %q: only kube-scheduler 1.x is known" $tag) -}}
{{- end -}}
{{- index $parts 1 | int -}}
{{- end -}}

{{/* kubescheduler.config.k8s.io version, or "policy" for the legacy Policy file (before 1.22). */}}
{{- define "hami.kubeScheduler.configApi" -}}
{{- $minor := include "hami.kubeScheduler.minor" . | int -}}
{{- if ge $minor 25 -}}v1
{{- else if ge $minor 23 -}}v1beta3
{{- else if eq $minor 22 -}}v1beta2
{{- else -}}policy
{{- end -}}
{{- end -}}

{{/* Labels every node of schedulerName must carry (global.managedNodeSelector and scheduler.nodeLabelSelector). */}}
{{- define "hami.managedNodeLabels" -}}
{{- $labels := dict -}}
{{- if .Values.global.managedNodeSelectorEnable -}}
{{- $labels = merge $labels .Values.global.managedNodeSelector -}}
{{- end -}}
{{- $labels = merge $labels (.Values.scheduler.nodeLabelSelector | default dict) -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* Every resource the extender manages; kube-scheduler leaves them to it (ignoredByScheduler). */}}
{{- define "hami.managedResources" -}}
{{- $v := .Values -}}
{{- $names := list $v.resourceName $v.resourceMem $v.resourceCores $v.resourceMemPercentage $v.resourcePriority -}}
{{- $names = concat $names (list $v.mluResourceName $v.mluResourceMem $v.mluResourceCores) -}}
{{- $names = concat $names (list $v.dcuResourceName $v.dcuResourceMem $v.dcuResourceCores) -}}
{{- $names = concat $names (list "metax-tech.com/gpu" $v.metaxResourceName $v.metaxResourceCore $v.metaxResourceMem) -}}
{{- range $vendor := list "ascend" "mthreads" "enflame" "kunlun" "iluvatar" "vastai" "biren" -}}
{{- $device := index $v.devices $vendor -}}
{{- if $device.enabled -}}{{- $names = concat $names $device.customresources -}}{{- end -}}
{{- end -}}
{{- $names = concat $names $v.devices.awsneuron.customresources $v.devices.amd.customresources -}}
{{- $list := list -}}
{{- range ($names | uniq) -}}
{{- $list = append $list (dict "name" . "ignoredByScheduler" true) -}}
{{- end -}}
{{- toYaml $list -}}
{{- end -}}

{{/* The port of scheduler.metricsBindAddress ([host]:port). */}}
{{- define "hami.metricsPort" -}}
{{- last (splitList ":" (.Values.scheduler.metricsBindAddress | toString)) | int -}}
{{- end -}}

{{- define "hami.metricsHost" -}}
{{- $parts := splitList ":" (.Values.scheduler.metricsBindAddress | toString) -}}
{{- join ":" (initial $parts) -}}
{{- end -}}

{{/*
The allocation encoding: scheduler.allocationEncoding, else the one HAMi's device plugin of that tag reads (v2.8 up
to v2.8.x, v2.9 from v2.9). Fails when the value contradicts a device plugin this chart deploys.
*/}}
{{- define "hami.allocationEncoding" -}}
{{- $tag := include "hami.devicePlugin.tag" . -}}
{{- $version := regexFind "^v?[0-9]+\\.[0-9]+" $tag | trimPrefix "v" -}}
{{- $plugin := "" -}}
{{- if $version -}}
{{- $parts := splitList "." $version -}}
{{- $major := index $parts 0 | int -}}
{{- $minor := index $parts 1 | int -}}
{{- if or (gt $major 2) (and (eq $major 2) (ge $minor 9)) -}}
{{- $plugin = "v2.9" -}}
{{- else -}}
{{- $plugin = "v2.8" -}}
{{- end -}}
{{- end -}}
{{- $set := .Values.scheduler.allocationEncoding | toString -}}
{{- if and $set $plugin .Values.devicePlugin.enabled (ne $set $plugin) -}}
{{- fail (printf "scheduler.allocationEncoding is %s but the device plugin deployed by this chart (tag %s) reads %s: remove scheduler.allocationEncoding or deploy a matching device plugin" $set $tag $plugin) -}}
{{- end -}}
{{- if $set -}}
{{- $set -}}
{{- else if $plugin -}}
{{- $plugin -}}
{{- else -}}
{{- fail (printf "the device-plugin image tag %q is not a version: set scheduler.allocationEncoding (v2.8 for a HAMi v2.8.x device plugin, v2.9 from v2.9 on)" $tag) -}}
{{- end -}}
{{- end -}}

{{/* Settings the chart cannot honour fail the render with the key's name. */}}
{{- define "hami.validate" -}}
{{- $s := .Values.scheduler -}}
{{- if not $s.kubeScheduler.enabled -}}
{{- fail "scheduler.kubeScheduler.enabled=false is not supported: the extender verbs listen on the pod's loopback only, so the kube-scheduler sidecar is what calls them" -}}
{{- end -}}
{{- if lt (int $s.service.httpTargetPort) 1024 -}}
{{- fail (printf "scheduler.service.httpTargetPort=%v: the webhook runs as non-root and cannot listen below 1024 (the default is 8443; the Service still answers on scheduler.service.httpPort)" $s.service.httpTargetPort) -}}
{{- end -}}
{{- if ne (int $s.service.monitorTargetPort) (include "hami.metricsPort" . | int) -}}
{{- fail (printf "scheduler.service.monitorTargetPort=%v differs from the port of scheduler.metricsBindAddress (%s)" $s.service.monitorTargetPort $s.metricsBindAddress) -}}
{{- end -}}
{{- if eq (int $s.service.httpTargetPort) (int $s.extender.port) -}}
{{- fail "scheduler.extender.port must differ from scheduler.service.httpTargetPort: the extender verbs are never served on the webhook port" -}}
{{- end -}}
{{- if and (eq (include "hami.kubeScheduler.configApi" .) "policy") (ne (include "hami.managedNodeLabels" .) "{}") -}}
{{- fail "global.managedNodeSelectorEnable and scheduler.nodeLabelSelector need kube-scheduler 1.22 or later (a node affinity added to the scheduler profile)" -}}
{{- end -}}
{{- if regexMatch "kube-webhook-certgen" ($s.patch.image.repository | toString) -}}
{{- fail "scheduler.patch.image: the certificate jobs run this chart's certgen (our own image, the default when scheduler.patch.image.repository is empty), not kube-webhook-certgen" -}}
{{- end -}}
{{- $_ := include "hami.allocationEncoding" . -}}
{{- end -}}

{{/* The security context of every container of ours (and of the kube-scheduler sidecar). */}}
{{- define "hami.containerSecurityContext" -}}
runAsNonRoot: true
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The certificate jobs run when the webhook is on, patch.enabled, and cert-manager is not in charge. */}}
{{- define "hami.certgen.enabled" -}}
{{- if and .Values.scheduler.admissionWebhook.enabled .Values.scheduler.patch.enabled (not .Values.scheduler.certManager.enabled) -}}true{{- end -}}
{{- end -}}

{{/* The jobs' service account and roles exist for every hook phase, before the jobs (weight -10). */}}
{{- define "hami.certgen.rbacHook" -}}
helm.sh/hook: pre-install,pre-upgrade,post-install,post-upgrade
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end -}}
