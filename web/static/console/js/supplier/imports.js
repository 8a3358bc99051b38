// Supplier: import offers from a CSV (or JSON Lines) file with a live progress bar and
// the per-row errors; the recent import jobs.
import { gql, uploadImport } from '../api.js';
import { h, clear, when, table, badge, errorBox, showError, fieldErrors } from '../ui.js';

const JOB = `query($id: ID!, $after: String) { importJob(id: $id) { id status format totalRows processed created updated failed progress error
  createdAt startedAt finishedAt errors(first: 100, after: $after) { edges { node { row field message } } pageInfo { hasNextPage endCursor } } } }`;
const JOBS = `{ importJobs(first: 10) { edges { node { id status format totalRows created updated failed progress createdAt finishedAt } } } }`;
const POLL_MS = 400;

export async function render({ page, stale }) {
  const status = h('p', { id: 'import-status', 'aria-live': 'polite' }, 'No import running.');
  const bar = h('progress', { id: 'import-progress', max: 1, value: 0, 'aria-labelledby': 'import-status' });
  const errors = h('div', { id: 'import-errors-wrap' });
  const jobs = h('div', { id: 'import-jobs' });
  const form = h('form', { id: 'import-form', class: 'card' },
    h('h2', {}, 'Import offers'),
    h('p', {}, 'One row per variant; the header names every column. ', h('a', { href: '/console/imports', onclick: template }, 'Download a template'), ' · format: docs/api/imports.md.'),
    h('div', { class: 'field' },
      h('label', { for: 'import-file' }, 'CSV file'),
      h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv,.jsonl,.ndjson,application/x-ndjson', required: true, 'aria-describedby': 'import-file-error' }),
      h('span', { class: 'field-error', id: 'import-file-error', 'aria-live': 'polite' })),
    errorBox('import-error'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Import')));
  clear(page, form, h('section', { class: 'card', 'aria-label': 'Import progress' }, status, bar, errors), jobs);

  const showJobs = async () => {
    const d = await gql(JOBS);
    clear(jobs, table('import-jobs-table', 'Recent imports', ['Started', 'Status', 'Rows', 'Created', 'Updated', 'Failed', ''], d.importJobs.edges.map((e) => e.node), (j) => [
      when(j.createdAt), badge(j.status), String(j.totalRows), String(j.created), String(j.updated), String(j.failed),
      h('button', { type: 'button', onclick: () => watch(j.id) }, 'Show')], 'No imports yet.'));
  };

  const watch = async (id) => {
    let job;
    for (;;) {
      if (stale()) return;
      job = (await gql(JOB, { id, after: null })).importJob;
      if (!job) throw new Error('That import job is gone.');
      bar.value = job.progress;
      status.textContent = `${job.status.toLowerCase()}: ${job.processed} of ${job.totalRows} rows processed — ${job.created} created, ${job.updated} updated, ${job.failed} failed${job.error ? ` — ${job.error}` : ''}.`;
      if (job.status === 'SUCCEEDED' || job.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const rows = job.errors.edges.map((e) => e.node);
    let info = job.errors.pageInfo;
    while (info.hasNextPage && rows.length < 1000) {
      const more = (await gql(JOB, { id, after: info.endCursor })).importJob.errors;
      rows.push(...more.edges.map((e) => e.node));
      info = more.pageInfo;
    }
    clear(errors, table('import-errors', rows.length ? `Row errors (${rows.length}${info.hasNextPage ? '+' : ''}): fix these rows and import the file again` : null,
      ['Line', 'Column', 'Problem'], rows, (r) => h('tr', { dataset: { row: r.row } }, h('td', { class: 'num' }, String(r.row)), h('td', {}, r.field || '(whole row)'), h('td', {}, r.message)),
      job.status === 'SUCCEEDED' ? 'Every row was imported.' : 'No row errors.'));
    await showJobs();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = form.querySelector('.error');
    showError(box, null);
    document.getElementById('import-file-error').textContent = '';
    const file = form.file.files[0];
    if (!file) { fieldErrors(form, box, { userErrors: [{ field: ['file'], message: 'Choose a CSV file first.' }] }); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    clear(errors);
    bar.value = 0;
    status.textContent = `Uploading ${file.name}…`;
    try {
      const format = /\.(jsonl|ndjson)$/i.test(file.name) ? 'jsonl' : 'csv';
      const job = await uploadImport(file, format);
      await watch(job.id);
    } catch (e) {
      status.textContent = 'The file was not imported.';
      if (e.userErrors?.length) e.userErrors = e.userErrors.map((u) => ({ ...u, field: ['file'] }));
      fieldErrors(form, box, e);
    } finally {
      button.disabled = false;
    }
  });
  await showJobs();
}

const HEADER = 'offer_handle,title,description,brand,category_path,images,offer_status,visibility,sku,gtin,options,weight_grams,wholesale_price,suggested_retail_price,minimum_resale_price,price_tiers,availability,quantity,lead_time_days,ships_direct,ship_from_lat,ship_from_lng,ship_from_region,ships_to_regions,direct_lead_time_days,direct_shipping_cost,warehouses';

function template(ev) {
  ev.preventDefault();
  const csv = `${HEADER}\nmy-offer-1,My first offer,,My Brand,home/kitchen/knives,,ACTIVE,,MY-SKU-1,,size=M,250,10.00,19.99,,,IN_STOCK,40,,true,48.14,11.58,DE-BY,DE|AT,2,4.90,wh-berlin\n`;
  const a = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: 'offers-template.csv' });
  document.body.append(a);
  a.click();
  a.remove();
}
