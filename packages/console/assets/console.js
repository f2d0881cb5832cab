// The console's one script: the time slider, the live call, the verify progress bar. Every page works without it.

function setUpTimeControl() {
  const form = document.getElementById('time-control');
  const slider = document.getElementById('time-slider');
  const field = document.getElementById('at-field');
  if (form === null || slider === null || field === null) return;
  // The slider runs over the room's life in thousandths; its ends are the first event and the life's end.
  const from = Number(slider.dataset.from);
  const to = Number(slider.dataset.to);
  const instantOf = () => new Date(Math.round(from + ((to - from) * Number(slider.value)) / Number(slider.max))).toISOString();
  slider.addEventListener('input', () => {
    field.value = instantOf();
    slider.setAttribute('aria-valuetext', field.value);
  });
  // A move of the slider (a drag let go, a key pressed) shows the room at the instant it points to.
  slider.addEventListener('change', () => {
    field.value = instantOf();
    form.requestSubmit();
  });
}

function setUpLiveSection() {
  const section = document.getElementById('live');
  const address = section?.dataset.live;
  if (section === null || address === undefined) return;
  const source = new EventSource(address);
  source.addEventListener('live', (event) => {
    const current = document.getElementById('live');
    if (current === null) return;
    const template = document.createElement('template');
    template.innerHTML = event.data;
    const replacement = template.content.firstElementChild;
    if (replacement !== null) current.replaceWith(replacement);
  });
  source.addEventListener('trouble', (event) => {
    const current = document.getElementById('live');
    if (current !== null) current.setAttribute('aria-busy', 'true');
    console.warn(event.data);
  });
  window.addEventListener('pagehide', () => source.close());
}

function setUpVerify() {
  const form = document.getElementById('verify-form');
  const bar = document.getElementById('verify-progress');
  const phase = document.getElementById('verify-phase');
  const outcome = document.getElementById('verify-outcome');
  if (form === null || bar === null || phase === null || outcome === null) return;
  const button = form.querySelector('button');
  const show = (rows) => {
    const list = document.createElement('dl');
    list.className = 'facts';
    for (const [term, value, id, className] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      if (id !== undefined) dd.id = id;
      if (className !== undefined) dd.className = className;
      list.append(dt, dd);
    }
    outcome.replaceChildren(list);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    outcome.replaceChildren();
    phase.textContent = 'Checking hash chains…';
    bar.value = 0;
    const source = new EventSource(form.dataset.stream);
    source.addEventListener('progress', (message) => {
      const step = JSON.parse(message.data);
      phase.textContent =
        step.phase === 'chain'
          ? `Checking hash chains: ${step.processed} of ${step.total} events`
          : `Checking projections: ${step.processed} of ${step.total} streams`;
      bar.max = Math.max(1, step.total);
      bar.value = step.processed;
    });
    const finish = () => {
      source.close();
      button.disabled = false;
    };
    source.addEventListener('done', (message) => {
      finish();
      const result = JSON.parse(message.data);
      bar.value = bar.max;
      phase.textContent = 'Done';
      if (result.verified) {
        show([
          ['Result', 'Every hash chain, position and projection checks out', undefined, 'ok'],
          ['Events', result.events, 'verify-events'],
          ['Rooms', result.rooms, 'verify-rooms'],
          ['Identities', result.identities],
          ['Took', `${result.seconds.toFixed(2)} s`],
        ]);
      } else {
        show([
          ['Result', 'Broken', undefined, 'broken'],
          ['First broken event', result.message, 'verify-failure'],
        ]);
      }
    });
    source.addEventListener('trouble', (message) => {
      finish();
      phase.textContent = 'Failed';
      show([['Result', JSON.parse(message.data).message, undefined, 'broken']]);
    });
    // A verification is not resumed: a lost stream ends it here, rather than starting it over.
    source.addEventListener('error', () => {
      if (button.disabled) {
        finish();
        phase.textContent = 'The connection to the console was lost; verify again.';
      }
    });
  });
}

document.addEventListener('DOMContentLoaded', () => {
  setUpTimeControl();
  setUpLiveSection();
  setUpVerify();
});
