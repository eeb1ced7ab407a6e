// The consent vault's export links: without script they download as they are; with it, the export is read
// as it streams and a progress bar counts the records against X-Total-Count, then the file is saved.
document.querySelectorAll('a[data-export]').forEach((link) => {
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const status = document.getElementById('vault-export-status');
    const progress = document.getElementById('vault-export-progress');
    const text = document.getElementById('vault-export-text');
    status.hidden = false;
    text.textContent = 'Starting the export…';
    try {
      const res = await fetch(link.href, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
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
        text.textContent = `${records} of ${total} records`;
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: res.headers.get('Content-Type') || 'application/octet-stream' }));
      const save = document.createElement('a');
      save.href = url;
      save.download = csv ? 'consent-records.csv' : 'consent-records.jsonl';
      document.body.append(save);
      save.click();
      save.remove();
      URL.revokeObjectURL(url);
      text.textContent = `Exported ${total} records.`;
    } catch (error) {
      text.textContent = `The export failed: ${error.message}. Try again, or use the admin API.`;
    }
  });
});
