import type { State } from '../states/state.js';
import { xmlAttribute as escapeAttribute, xmlText as escapeText } from './xml-text.js';

// The JUnit XML of a flow run, as Jenkins, GitLab and CircleCI read it: one
// <testsuite> per flow run (subflow runs included) named after its flow, one
// <testcase> per task run, <failure> for Failed, Crashed and TimedOut,
// <skipped/> for NotReady and Cancelled.

export interface CaseRun {
  readonly id: string;
  readonly name: string;
  state: State | undefined;
  start: number | undefined;
  end: number | undefined;
  /** The stack of the exception it ended with, as its ERROR line gave it. */
  stack: string | undefined;
}

export interface SuiteRun {
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  readonly created: number;
  state: State | undefined;
  start: number | undefined;
  end: number | undefined;
  stack: string | undefined;
  readonly cases: CaseRun[];
}

type Outcome = { readonly kind: 'passed' } | { readonly kind: 'failed'; readonly type: string; readonly message: string } | { readonly kind: 'skipped'; readonly message: string };

const FAILED_NAMES = new Set(['Failed', 'Crashed', 'TimedOut']);

const outcomeOf = (state: State | undefined): Outcome => {
  if (state === undefined) {
    return { kind: 'skipped', message: 'It never started.' };
  }
  if (state.type === 'COMPLETED') {
    return { kind: 'passed' };
  }
  if (FAILED_NAMES.has(state.name) || state.type === 'FAILED' || state.type === 'CRASHED') {
    return { kind: 'failed', type: state.name, message: state.message ?? state.name };
  }
  if (state.name === 'NotReady' || state.type === 'CANCELLED') {
    return { kind: 'skipped', message: state.message ?? state.name };
  }
  // Still Pending or Running when the report was written: the flow run ended without it.
  return { kind: 'skipped', message: `It did not finish: it was ${state.name} when its flow run ended.` };
};

const seconds = (start: number | undefined, end: number | undefined): string =>
  start === undefined || end === undefined ? '0.000' : (Math.max(0, end - start) / 1000).toFixed(3);

// Escapes, after masking secret values in the text (a secret holding '&' would not be found once escaped).
interface Escapes {
  readonly attribute: (text: string) => string;
  readonly text: (text: string) => string;
}

const renderCase = (xml: Escapes, name: string, className: string, time: string, outcome: Outcome, stack: string | undefined): string => {
  const open = `    <testcase name="${xml.attribute(name)}" classname="${xml.attribute(className)}" time="${time}"`;
  switch (outcome.kind) {
    case 'passed':
      return `${open}/>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xml.attribute(outcome.message)}"/>\n    </testcase>`;
    case 'failed':
      return `${open}>\n      <failure message="${xml.attribute(outcome.message)}" type="${xml.attribute(outcome.type)}">${xml.text(stack ?? outcome.message)}</failure>\n    </testcase>`;
  }
};

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
}

const renderSuite = (xml: Escapes, suite: SuiteRun, counts: Counts): string => {
  const cases = suite.cases.map((run) => ({ run, outcome: outcomeOf(run.state) }));
  const lines = cases.map(({ run, outcome }) => renderCase(xml, run.name, suite.flowName, seconds(run.start, run.end), outcome, run.stack));
  const suiteOutcome = outcomeOf(suite.state);
  // A flow run can fail with no task run failing (its own code threw, or it
  // timed out): it is a failed case of its own then, or CI would read green.
  if (suiteOutcome.kind === 'failed' && !cases.some(({ outcome }) => outcome.kind === 'failed')) {
    cases.push({ run: { id: suite.id, name: suite.name, state: suite.state, start: suite.start, end: suite.end, stack: suite.stack }, outcome: suiteOutcome });
    lines.push(renderCase(xml, `flow run '${suite.name}'`, suite.flowName, seconds(suite.start, suite.end), suiteOutcome, suite.stack));
  }
  const failures = cases.filter(({ outcome }) => outcome.kind === 'failed').length;
  const skipped = cases.filter(({ outcome }) => outcome.kind === 'skipped').length;
  counts.tests += cases.length;
  counts.failures += failures;
  counts.skipped += skipped;
  const attributes = [
    `name="${xml.attribute(suite.flowName)}"`,
    `tests="${cases.length}"`,
    `failures="${failures}"`,
    'errors="0"',
    `skipped="${skipped}"`,
    `time="${seconds(suite.start ?? suite.created, suite.end)}"`,
    `timestamp="${new Date(suite.start ?? suite.created).toISOString().slice(0, 19)}"`,
  ];
  const properties = [
    ['flowRunId', suite.id],
    ['flowRunName', suite.name],
    ['state', suite.state === undefined ? 'Pending' : suite.state.name],
  ].map(([name, value]) => `      <property name="${name}" value="${xml.attribute(value ?? '')}"/>`);
  return [`  <testsuite ${attributes.join(' ')}>`, '    <properties>', ...properties, '    </properties>', ...lines, '  </testsuite>'].join('\n');
};

/** The report of these flow runs, in the order they were created. */
export const renderJUnit = (suites: readonly SuiteRun[], mask: (text: string) => string = (text) => text): string => {
  const xml: Escapes = { attribute: (text) => escapeAttribute(mask(text)), text: (text) => escapeText(mask(text)) };
  const counts: Counts = { tests: 0, failures: 0, skipped: 0 };
  const rendered = suites.map((suite) => renderSuite(xml, suite, counts));
  const first = suites[0];
  const last = suites.reduce<number | undefined>((latest, suite) => (suite.end === undefined ? latest : Math.max(latest ?? 0, suite.end)), undefined);
  const time = first === undefined ? '0.000' : seconds(first.start ?? first.created, last);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flowrun" tests="${counts.tests}" failures="${counts.failures}" errors="0" skipped="${counts.skipped}" time="${time}">`,
    ...rendered,
    '</testsuites>',
    '',
  ].join('\n');
};
