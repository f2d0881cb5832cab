// BENCHMARKS.md from a run of bench/run.mjs: the summary table, then each row's figures and notes.

const number = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(Math.abs(value) >= 1 ? 2 : 3);
};

const spread = ({ min, median, max }) => (min === max ? number(median) : `${number(median)} (${number(min)}–${number(max)})`);

/** Every ratio a row reports: `ratio` with the row's `target`, then any other `…Ratio` field with its own. */
function ratiosOf(row) {
  const ratios = [];
  if (row.ratio) ratios.push({ ...row.ratio, target: row.target ?? null });
  for (const [key, value] of Object.entries(row)) {
    if (key !== 'ratio' && key.endsWith('Ratio') && value !== null && typeof value === 'object') ratios.push({ target: null, ...value });
  }
  return ratios;
}

function verdict(target) {
  if (target === null || target === undefined) return 'reported';
  return target.met ? 'met' : '**missed**';
}

/** One line per judged figure of a row; a row with no ratio is judged on its target alone. */
function summaryLines(row) {
  const title = `${row.scenario ?? row.file}`;
  if (row.failed !== undefined) return [`| ${row.row} | ${title} | | failed: ${row.failed} | | **failed** |`];
  const ratios = ratiosOf(row);
  if (ratios.length === 0) {
    const shown = (row.figures ?? []).map((figure) => `${figure.label}: ${spread(figure)} ${figure.unit}`).join('; ') || '—';
    return [`| ${row.row} | ${title} | ${row.comparedWith ?? '—'} | ${shown} | ${row.target?.text ?? '—'} | ${verdict(row.target)} |`];
  }
  return ratios.map(
    (ratio, index) =>
      `| ${index === 0 ? row.row : ''} | ${index === 0 ? title : ''} | ${ratio.label} | ${spread(ratio)} | ${ratio.target?.text ?? '—'} | ${verdict(ratio.target)} |`,
  );
}

function details(row) {
  const lines = [`### Row ${row.row}: ${row.scenario ?? row.file}`, ''];
  if (row.failed !== undefined) return [...lines, `Failed: ${row.failed} (\`node bench/${row.file}\` shows why).`, ''];
  if (row.comparedWith) lines.push(`Compared with: ${row.comparedWith}.`, '');
  if ((row.figures ?? []).length > 0) {
    lines.push('| figure | median | min | max | unit |', '| --- | --- | --- | --- | --- |');
    for (const figure of row.figures)
      lines.push(`| ${figure.label} | ${number(figure.median)} | ${number(figure.min)} | ${number(figure.max)} | ${figure.unit} |`);
    lines.push('');
  }
  for (const ratio of ratiosOf(row)) {
    lines.push(
      `- ${ratio.label}: median ${number(ratio.median)}, min ${number(ratio.min)}, max ${number(ratio.max)}${ratio.target ? `; target ${ratio.target.text}: ${verdict(ratio.target)}` : ''}`,
    );
  }
  if (row.note) lines.push('', row.note);
  lines.push('', `Script: [bench/${row.file}](bench/${row.file}), ${number(row.seconds)} s.`, '');
  return lines;
}

export function benchmarksMarkdown(run) {
  const { machine } = run;
  return [
    '# Benchmarks',
    '',
    `Produced by \`npm run bench${run.quick ? ' -- --quick' : ''}\` on ${run.date.slice(0, 10)} at commit ${run.commit}.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; ${machine.os}; Node ${machine.node}.`,
    '',
    'Every figure is measured in repeated rounds and shown as median (min–max). Where a row compares two',
    'sides, they run in the same run in alternating rounds, and the ratio is taken round by round; targets',
    'are judged on the median ratio. HTTP load comes from autocannon in the benchmark process, the server',
    'runs in a process of its own. Benchmarks never run in `npm test`. The raw data: `bench/results/latest.json`.',
    'A row whose target is missed says why in its notes, below the table.',
    '',
    '| row | scenario | measured | result | target | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
    ...run.rows.flatMap(summaryLines),
    '',
    '## Rows',
    '',
    ...run.rows.flatMap(details),
  ].join('\n');
}
