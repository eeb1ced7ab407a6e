// The consent vault's export links: without script they download as they are; with it, the export is read
// as it streams and a progress bar counts the records against X-Total-Count, then the file is saved. Its
// words come from the page (data-msg-* on the status line, in the reader's language), numbers through Intl.
const words = (status, name, values = {}) => Object.entries(values)
  .reduce((text, [key, value]) => text.replaceAll(`{${key}}`, typeof value === 'number' ? new Intl.NumberFormat(document.documentElement.lang || undefined).format(value) : value), status.dataset[name] || '');

document.querySelectorAll('a[data-export]').forEach((link) => {
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const status = document.getElementById('vault-export-status');
    const progress = document.getElementById('vault-export-progress');
    const text = document.getElementById('vault-export-text');
    status.hidden = false;
    text.textContent = words(status, 'msgStart');
    try {
      const res = await fetch(link.href, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const total = Number(res.headers.get('X-Total-Count') || 0);
      const csv = (res.headers.get('Content-Type') || '').includes('csv');
      progress.max = Math.max(total, 1);
      const reader = res.body.getReader();
      const chunks = [];
      let lines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        for (const byte of value) if (byte === 10) lines += 1;
        const records = Math.max(0, csv ? lines - 1 : lines);
        progress.value = records;
        text.textContent = words(status, 'msgProgress', { records, total });
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: res.headers.get('Content-Type') || 'application/octet-stream' }));
      const save = document.createElement('a');
      save.href = url;
      save.download = csv ? 'consent-records.csv' : 'consent-records.jsonl';
      document.body.append(save);
      save.click();
      save.remove();
      URL.revokeObjectURL(url);
      text.textContent = words(status, 'msgDone', { total });
    } catch (error) {
      text.textContent = words(status, 'msgFailed', { reason: error.message });
    }
  });
});
