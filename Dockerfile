# The gpushare image: the scheduler's executable jar on a JRE, running as a non-root user. The same image serves
# the chart's vgpu-scheduler-extender container and its certificate jobs (certgen create / certgen patch).
#
#   docker build -t ghcr.io/gpushare/gpushare-scheduler:0.1.0 .
#
# (the chart's default scheduler.extender.image; push it to your registry and set global.imageRegistry or
# scheduler.extender.image when it lives elsewhere). BUILD_IMAGE (a JDK 17+) and BASE_IMAGE (a JRE 17+) name the
# base images when Docker Hub's are not at hand, e.g. ones from image/build-offline-base.sh. No syntax directive:
# BuildKit's built-in Dockerfile frontend has the cache mount and COPY --chmod, and fetching a newer one would need
# Docker Hub.
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG BASE_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
# The build context has no .git, so the commit for --version and hami_build_info comes as an argument
# (docker build --build-arg REVISION=$(git rev-parse --short=12 HEAD) ...); without it the revision is unknown.
ARG REVISION=unknown
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -DskipTests -Dgit.commit.id.abbrev="$REVISION" -pl scheduler -am package \
 && cp scheduler/target/gpushare-scheduler-*-exec.jar /gpushare-scheduler.jar

FROM ${BASE_IMAGE}
COPY --from=build --chmod=0444 /gpushare-scheduler.jar /app/gpushare-scheduler.jar
# Numeric, so that the kubelet can verify runAsNonRoot; the chart runs it with this UID (the certificate jobs with
# scheduler.patch.runAsUser). The jar is world-readable, nothing else is needed on disk but /tmp.
USER 65532:65532
# The only writable place under the chart's read-only root filesystem is its /tmp emptyDir; relative paths (the
# embedded mode's gpushare.kubeconfig) land there.
WORKDIR /tmp
EXPOSE 8443 9395
ENTRYPOINT ["java", "-jar", "/app/gpushare-scheduler.jar"]
