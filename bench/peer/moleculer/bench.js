// bench/peer/moleculer/bench.js: Moleculer 0.14's local calls and events, the
// peer that issue 3's in-process targets are stated against ("3.9 M local
// calls/s, 1.6 M local events/s"), measured on this machine so that Hypha's
// figures of the same run can be read against it (bench/run.sh, part "peer").
//
// The shapes follow bench/inproc_bench.cpp:
//   MoleculerLocalCall   one broker.call at a time, awaited, with the argument
//                        {x: 1, s: "hello"} and a result of the same shape
//                        (InProcessRpc / InProcessRpcJson);
//   MoleculerLocalEvent  broker.emit to one local handler, timed until every
//                        event was handled (InProcessEvent[Json]). Events go in
//                        bursts of 100 with a yield between: emitting
//                        hundreds of thousands without yielding piles up
//                        pending promises until the heap runs out.
//
// Each benchmark runs PEER_ROUNDS times (5) after one warm-up round; a line
// per round, then the best and the median in Google Benchmark's form
// ("items_per_second=1.23M/s") for run.sh to read.
"use strict";

const { ServiceBroker } = require("moleculer");

const ROUNDS = Number(process.env.PEER_ROUNDS || 5);
const CALLS = Number(process.env.PEER_CALLS || 300000);
const EVENTS = Number(process.env.PEER_EVENTS || 300000);
const BURST = 100;

let handled = 0;

const broker = new ServiceBroker({ logger: false, metrics: false, tracing: false });
broker.createService({
  name: "target",
  actions: {
    echo(ctx) {
      return { x: ctx.params.x + 1, s: ctx.params.s };
    },
  },
  events: {
    ping() {
      handled++;
    },
  },
});

function nanosSince(start) {
  return Number(process.hrtime.bigint() - start);
}

async function localCalls(n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const result = await broker.call("target.echo", { x: 1, s: "hello" });
    if (result.x !== 2) throw new Error(`unexpected result ${JSON.stringify(result)}`);
  }
  return nanosSince(start) / n;
}

async function localEvents(n) {
  const first = handled;
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < n; sent += BURST) {
    for (let i = 0; i < BURST; i++) broker.emit("ping", { x: 1, s: "hello" });
    await null;
  }
  while (handled - first < n) await new Promise((resolve) => setImmediate(resolve));
  return nanosSince(start) / n;
}

function rate(nanosPerItem) {
  const perSecond = 1e9 / nanosPerItem;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(3)}M/s`;
  return `${(perSecond / 1e3).toFixed(3)}k/s`;
}

async function measure(name, run, n) {
  await run(Math.max(1, Math.floor(n / 5)));  // warm-up: let V8 optimise
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const ns = await run(n);
    rounds.push(ns);
    console.log(`${name} round ${round}: ${ns.toFixed(0)} ns per item, ${rate(ns)}`);
  }
  const sorted = [...rounds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${name}_best ${sorted[0].toFixed(0)} ns items_per_second=${rate(sorted[0])}`);
  console.log(`${name}_median ${median.toFixed(0)} ns items_per_second=${rate(median)}`);
}

(async () => {
  await broker.start();
  console.log(`moleculer ${ServiceBroker.MOLECULER_VERSION}, node ${process.version}`);
  await measure("MoleculerLocalCall", localCalls, CALLS);
  await measure("MoleculerLocalEvent", localEvents, EVENTS);
  await broker.stop();
})().catch((error) => {
  console.error(`peer bench failed: ${error.stack || error}`);
  process.exit(1);
});
