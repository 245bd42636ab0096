// Interactive sampling on a run's page: from a chosen checkpoint, draw a small
// batch (method, t0, steps, class) or complete a test image from its top rows.
// The server runs each job in its own process; this panel shows its progress,
// lets the user cancel it, and shows the grid when it is done.
import { fileUrl, getJson, postJson, sessionValid } from '../api.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { poll } from '../poll.js';

function field(label, input, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    input,
    hint ? h('span', { class: 'field-hint' }, hint) : null,
  );
}

const num = (name, value, attrs = {}) => h('input', { type: 'number', name, value, step: 'any', ...attrs });

function methodSelect(name) {
  return h(
    'select',
    { name },
    h('option', { value: 'two-phase' }, 'two-phase'),
    h('option', { value: 'ar' }, 'AR at t = 0'),
  );
}

function readNumber(form, name) {
  const el = form.elements.namedItem(name);
  if (!el || el.disabled || el.value.trim() === '') return undefined;
  return Number(el.value);
}

export class Interactive {
  constructor(container, runId) {
    this.runId = runId;
    this.detail = null;
    this.checkpointsKey = '';
    this.canCompute = false;
    this.root = h('div', { class: 'interactive' });
    this.notice = h('div');
    this.checkpoint = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' });
    this.sampleForm = this.buildSampleForm();
    this.completeForm = this.buildCompleteForm();
    this.message = h('p', { class: 'form-message', role: 'status' });
    this.jobs = h('div', { class: 'jobs' });
    this.root.append(
      this.notice,
      h('div', { class: 'checkpoint-pick' }, field('Checkpoint', this.checkpoint, 'EMA weights')),
      h('div', { class: 'forms' }, this.sampleForm, this.completeForm),
      this.message,
      this.jobs,
    );
    container.append(this.root);
    this.jobPoll = poll(
      () => this.refreshJobs(),
      () => (this.anyRunning ? 1000 : 4000),
    );
    sessionValid()
      .catch(() => false)
      .then((ok) => {
        this.canCompute = ok;
        this.refreshEnabled();
      });
  }

  buildSampleForm() {
    const method = methodSelect('method');
    const form = h(
      'form',
      { class: 'card job-form', dataset: { form: 'sample' }, onsubmit: (e) => this.submit(e, 'sample') },
      h('h3', {}, 'Draw samples'),
      h(
        'div',
        { class: 'field-row' },
        field('Method', method),
        field('Images', num('num', 4, { min: 1, max: 64, step: 1 })),
        field('Seed', num('seed', 0, { min: 0, step: 1 })),
      ),
      h(
        'div',
        { class: 'field-row' },
        field('t0', num('t0', '', { min: 0, placeholder: 'default' }), 'phase-1 noise level'),
        field('Steps', num('steps', '', { min: 1, step: 1, placeholder: 'default' }), 'reverse-diffusion steps'),
        field('Class', h('select', { name: 'class' }, h('option', { value: '' }, 'any')), 'class-conditional models'),
      ),
      h('button', { class: 'button primary', type: 'submit' }, 'Draw'),
    );
    method.addEventListener('change', () => this.refreshEnabled());
    return form;
  }

  buildCompleteForm() {
    const method = methodSelect('method');
    const form = h(
      'form',
      { class: 'card job-form', dataset: { form: 'complete' }, onsubmit: (e) => this.submit(e, 'complete') },
      h('h3', {}, 'Complete a test image'),
      h(
        'div',
        { class: 'field-row' },
        field('Test image', num('image', 0, { min: 0, step: 1 }), 'index in the test split'),
        field('Kept rows', num('keepRows', 14, { min: 1, step: 1 }), 'top rows given'),
        field('Completions', num('perImage', 4, { min: 1, max: 16, step: 1 })),
      ),
      h(
        'div',
        { class: 'field-row' },
        field('Method', method),
        field('t0', num('t0', '', { min: 0, placeholder: 'default' })),
        field('Steps', num('steps', '', { min: 1, step: 1, placeholder: 'default' })),
        field('Seed', num('seed', 0, { min: 0, step: 1 })),
      ),
      h('button', { class: 'button primary', type: 'submit' }, 'Complete'),
    );
    method.addEventListener('change', () => this.refreshEnabled());
    return form;
  }

  /** New run data: checkpoints, classes, image size. Keeps what the user chose. */
  update(detail) {
    const first = this.detail === null;
    this.detail = detail;
    const key = detail.checkpointList.map((c) => `${c.step}:${c.problems.length}`).join(',');
    if (key !== this.checkpointsKey) {
      const chosen = this.checkpoint.value;
      const wasLatest = chosen === '' || chosen === String(this.latestStep);
      this.checkpointsKey = key;
      replace(
        this.checkpoint,
        [...detail.checkpointList]
          .reverse()
          .map((c) => h('option', { value: String(c.step) }, `step ${c.step}${c.problems.length ? ' (damaged)' : ''}`)),
      );
      this.latestStep = detail.checkpointList.at(-1)?.step;
      if (!wasLatest && detail.checkpointList.some((c) => String(c.step) === chosen)) this.checkpoint.value = chosen;
    }
    if (first) {
      const classSelect = this.sampleForm.elements.namedItem('class');
      const n = detail.numClasses ?? 0;
      replace(
        classSelect,
        h('option', { value: '' }, n ? 'any' : 'unconditional model'),
        Array.from({ length: n }, (_, k) => h('option', { value: String(k) }, `class ${k}`)),
      );
      classSelect.disabled = n === 0;
      if (detail.objective === 'mle')
        for (const f of [this.sampleForm, this.completeForm]) f.elements.namedItem('method').value = 'ar';
      const height = detail.imageShape?.[1];
      if (height) {
        const rows = this.completeForm.elements.namedItem('keepRows');
        rows.max = String(height - 1);
        rows.value = String(Math.floor(height / 2));
      }
    }
    this.refreshEnabled();
  }

  refreshEnabled() {
    const hasCheckpoint = (this.detail?.checkpointList.length ?? 0) > 0;
    const enabled = this.canCompute && hasCheckpoint;
    for (const form of [this.sampleForm, this.completeForm]) {
      form.querySelector('button[type=submit]').disabled = !enabled;
      const twoPhase = form.elements.namedItem('method').value === 'two-phase';
      for (const name of ['t0', 'steps']) form.elements.namedItem(name).disabled = !twoPhase;
    }
    this.checkpoint.disabled = !hasCheckpoint;
    replace(
      this.notice,
      !this.canCompute
        ? h(
            'div',
            { class: 'notice' },
            'Sampling needs the token printed by ',
            h('code', {}, 'ncml dashboard'),
            ': open the URL it printed (it ends in ',
            h('code', {}, '?token=…'),
            ').',
          )
        : !hasCheckpoint && this.detail
          ? h('div', { class: 'notice' }, 'This run has no complete checkpoint yet; sampling starts from one.')
          : null,
    );
  }

  async submit(event, kind) {
    event.preventDefault();
    const form = event.currentTarget;
    const request = {
      kind,
      run: this.runId,
      checkpoint: Number(this.checkpoint.value),
      method: form.elements.namedItem('method').value,
      seed: readNumber(form, 'seed') ?? 0,
    };
    for (const name of ['t0', 'steps']) {
      const v = readNumber(form, name);
      if (v !== undefined) request[name] = v;
    }
    if (kind === 'sample') {
      request.num = readNumber(form, 'num') ?? 4;
      const cls = form.elements.namedItem('class');
      if (!cls.disabled && cls.value !== '') request.class = Number(cls.value);
    } else {
      request.image = readNumber(form, 'image') ?? 0;
      request.keepRows = readNumber(form, 'keepRows') ?? 1;
      request.perImage = readNumber(form, 'perImage') ?? 4;
    }
    this.message.className = 'form-message';
    this.message.textContent = 'Starting…';
    try {
      await postJson('/api/jobs', request);
      this.message.textContent = '';
      this.jobPoll.now();
    } catch (e) {
      this.message.className = 'form-message bad';
      this.message.textContent = e.message;
    }
  }

  async refreshJobs() {
    const { body: jobs, text } = await getJson(`/api/jobs?run=${encodeURIComponent(this.runId)}`);
    this.anyRunning = jobs.some((j) => j.state === 'running');
    if (text === this.jobsText) return;
    this.jobsText = text;
    replace(
      this.jobs,
      jobs.slice(0, 6).map((j) => this.renderJob(j)),
    );
  }

  renderJob(j) {
    const s = j.settings;
    const what =
      j.kind === 'sample'
        ? `${s.num} sample${s.num === 1 ? '' : 's'}, ${s.method}${s.t0 !== undefined ? `, t0 ${s.t0}` : ''}${s.steps !== undefined ? `, ${s.steps} steps` : ''}${s.class !== undefined && s.class !== null ? `, class ${s.class}` : ''}, seed ${s.seed}`
        : `test image ${s.image}, ${s.keepRows} rows kept, ${s.perImage} completions, ${s.method}, seed ${s.seed}`;
    const pct = j.progress === null ? null : Math.round(100 * j.progress);
    return h(
      'div',
      { class: `card job job-${j.state}`, dataset: { jobId: j.id, state: j.state, progress: j.progress ?? '' } },
      h(
        'div',
        { class: 'job-head' },
        h('strong', {}, j.kind === 'sample' ? 'Samples' : 'Completion'),
        h('span', { class: 'muted' }, `from step ${s.checkpoint}`),
        h('span', { class: `badge badge-job-${j.state}` }, j.state),
        j.state === 'running' && this.canCompute
          ? h('button', { class: 'button small', onclick: () => this.cancel(j.id) }, 'Cancel')
          : null,
      ),
      h('p', { class: 'job-what small' }, what),
      j.state === 'running'
        ? [
            h(
              'div',
              {
                class: 'progress',
                role: 'progressbar',
                'aria-valuenow': pct ?? undefined,
                'aria-valuemin': 0,
                'aria-valuemax': 100,
              },
              h('div', {
                class: `progress-bar${pct === null ? ' indeterminate' : ''}`,
                style: { width: pct === null ? '30%' : `${pct}%` },
              }),
            ),
            h('p', { class: 'muted small mono' }, j.message, ` · ${fmt.duration((Date.now() - j.startedAt) / 1000)}`),
          ]
        : null,
      j.state === 'failed' ? h('pre', { class: 'job-error' }, j.error) : null,
      j.state === 'done' && j.output
        ? h(
            'a',
            { href: fileUrl(j.output), target: '_blank', rel: 'noopener', class: 'image-link pixelated job-result' },
            h('img', { src: fileUrl(j.output), alt: `result of job ${j.id}` }),
          )
        : null,
      j.state !== 'running' && j.endedAt
        ? h('p', { class: 'muted small' }, `${j.state} after ${fmt.duration((j.endedAt - j.startedAt) / 1000)}`)
        : null,
    );
  }

  async cancel(id) {
    try {
      await postJson(`/api/jobs/${id}/cancel`, {});
    } catch (e) {
      this.message.className = 'form-message bad';
      this.message.textContent = e.message;
    }
    this.jobPoll.now();
  }

  destroy() {
    this.jobPoll.stop();
  }
}
