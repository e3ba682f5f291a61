'use strict';
// Renders the picture of /ui/api/events. Every value from the cluster is user input (pod names, annotations,
// messages): it only ever becomes a text node or an attribute value, never markup.
(function () {
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === 'class') node.className = value;
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach((child) => {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function age(since, now) {
    if (!since) return '';
    let s = Math.max(0, Math.round((new Date(now) - new Date(since)) / 1000));
    if (s < 120) return s + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + (s % 60 ? (s % 60) + 's' : '');
    const h = Math.floor(m / 60);
    return h + 'h' + (m % 60 ? (m % 60) + 'm' : '');
  }

  function bar(label, usage, unit) {
    const pct = usage.total > 0 ? Math.min(100, Math.round(100 * usage.used / usage.total)) : 0;
    const level = pct >= 90 ? 'high' : pct >= 60 ? 'mid' : 'low';
    const fill = el('span', { class: 'fill ' + level });
    fill.style.width = pct + '%';
    return el('div', { class: 'meter', title: label + ': ' + usage.used + ' of ' + usage.total + unit }, [
      el('span', { class: 'meter-label' }, [label]),
      el('span', { class: 'track' }, [fill]),
      el('span', { class: 'meter-value' }, [usage.used + ' / ' + usage.total + unit]),
    ]);
  }

  function gpu(g) {
    const pods = g.pods.length === 0 ? [el('span', { class: 'idle' }, ['idle'])] : g.pods.map((p) =>
      el('span', { class: 'pod' + (p.bound ? '' : ' reserved'), 'data-pod': p.namespace + '/' + p.name,
        title: p.bound ? 'bound' : 'reserved by /filter, not bound yet' }, [
        el('span', { class: 'pod-name' }, [p.namespace + '/' + p.name]),
        el('span', { class: 'pod-use' }, [p.memoryMib + ' MiB' + (p.cores ? ' · ' + p.cores + '%' : '')]),
      ]));
    return el('div', { class: 'gpu' + (g.healthy ? '' : ' unhealthy'), 'data-gpu': g.uuid }, [
      el('div', { class: 'gpu-head' }, [
        el('span', { class: 'gpu-index' }, ['GPU ' + g.index]),
        el('span', { class: 'gpu-type' }, [g.type]),
        el('span', { class: 'gpu-uuid', title: g.uuid }, [g.uuid]),
        g.healthy ? '' : el('span', { class: 'badge warn' }, ['unhealthy']),
      ]),
      el('div', { class: 'meters' }, [bar('slots', g.slots, ''), bar('memory', g.memoryMib, ' MiB'),
        bar('cores', g.cores, '%')]),
      el('div', { class: 'pods' }, pods),
    ]);
  }

  function node(n) {
    const children = [el('h3', {}, [n.name])];
    if (n.problem) children.push(el('p', { class: 'problem' }, ['registration cannot be read: ' + n.problem]));
    n.gpus.forEach((g) => children.push(gpu(g)));
    return el('article', { class: 'node', 'data-node': n.name }, children);
  }

  function facts(page) {
    const list = document.getElementById('facts');
    const leader = page.leader.leader ? 'this replica (' + page.leader.identity + ')'
      : (page.leader.holder || 'none');
    list.replaceChildren(
      el('dt', {}, ['mode']), el('dd', {}, [page.mode]),
      el('dt', {}, ['scheduler']), el('dd', {}, [page.schedulerName]),
      el('dt', {}, ['leader']), el('dd', { id: 'leader' }, [leader + ', term ' + page.leader.term
        + (page.leader.synced ? ', synced' : ', not synced')]),
      el('dt', {}, ['policy']), el('dd', { id: 'policy' }, ['node ' + page.policy.node + ', GPU ' + page.policy.gpu]),
    );
  }

  function render(page) {
    facts(page);
    const nodes = document.getElementById('nodes');
    nodes.replaceChildren(...(page.nodes.length ? page.nodes.map(node)
      : [el('p', { class: 'empty' }, ['No GPU node registered yet.'])]));
    const pending = document.querySelector('#pending tbody');
    document.getElementById('pending-count').textContent = page.pending.length ? '(' + page.pending.length + ')' : '';
    pending.replaceChildren(...(page.pending.length ? page.pending.map((p) =>
      el('tr', { 'data-pending': p.namespace + '/' + p.name }, [
        el('td', {}, [p.namespace + '/' + p.name]),
        el('td', {}, [age(p.created, page.at)]),
        el('td', { class: 'reason' }, [p.reason || 'not tried yet']),
        el('td', { class: 'message' }, [p.message || '']),
      ])) : [el('tr', {}, [el('td', { colspan: 4, class: 'empty' }, ['Nothing waits.'])])]));
    const decisions = document.querySelector('#decisions tbody');
    decisions.replaceChildren(...(page.decisions.length ? page.decisions.map((d) =>
      el('tr', { class: d.type === 'Warning' ? 'warning' : '' }, [
        el('td', {}, [new Date(d.time).toLocaleTimeString()]),
        el('td', {}, [(d.namespace || '') + '/' + d.pod]),
        el('td', {}, [d.reason]),
        el('td', { class: 'message' }, [d.message]),
      ])) : [el('tr', {}, [el('td', { colspan: 4, class: 'empty' }, ['No decision yet.'])])]));
    const live = document.getElementById('live');
    live.textContent = 'live · ' + new Date(page.at).toLocaleTimeString();
    live.className = 'live on';
  }

  function connect() {
    const source = new EventSource('api/events');
    source.addEventListener('gpus', (event) => render(JSON.parse(event.data)));
    source.onerror = () => {
      const live = document.getElementById('live');
      live.textContent = 'reconnecting…';
      live.className = 'live off';
    };
  }

  fetch('api/state', { cache: 'no-store' }).then((r) => r.json()).then(render).catch(() => {}).finally(connect);
}());
