/**
 * Benchmark of @countersign/crdt-model against the same workload written directly on Automerge 3,
 * and of verify + derive on a 30-entry chain. Prints one JSON object on stdout; progress goes to
 * stderr. Exits 1 when any outcome is wrong, so a fast number always measures real work.
 *
 *   npm run bench:model                      1,000 documents (BENCH_DOCS overrides, e.g. 50 for a quick run)
 *   BENCH_RUNS=100 npm run bench:model       runs for the 30-entry verify + derive medians (at least 50)
 *
 * (a) Lifecycle, per document: create (metadata, 主旨, body items, routing plan), 10 signed entries,
 *     two replicas that diverge (concurrent countersigns and a text edit) and are merged by exchanging
 *     diffs, a final sync, then derive on both replicas. The same workload runs on crdt-model (Yjs)
 *     and on Automerge with the same WebCrypto ECDSA P-256 keys over the same canonical bytes.
 *
 *     Against its floor (issue 14): the same 10 signs and 2 × 10 verifies timed alone with every key
 *     already imported; `floorRatio` = lifecycle / floor, goal ≤ 1.3. Each replica keeps its own
 *     long-lived VerifyCache, whose CertificateCache imports each signer's key once for its lifetime.
 *     Each replica signs through its VerifyCache (signAction's `cache`), which so learns the parse of
 *     the entries it signed itself (never their signatures: every replica still checks all 10); the
 *     Automerge side signs the same way. `lifecycle.cpu` gives the same ratios in process CPU time
 *     (every thread), which other processes on a shared machine do not inflate as they do wall time.
 *
 *     Fairness: the Automerge side reuses the model's pure, storage-independent code (canonical JSON,
 *     entry parsing, certificate checks, signature verification, content parsing and the workflow rules
 *     and replay), so the only difference between the two is where the document lives: Yjs behind
 *     CountersignDocument, or an Automerge document. Its "derive" is a port of verify + derive onto
 *     Automerge storage (every check verify makes, including the per-entry rule check), minus the
 *     timeline and holder presentation.
 *
 * (b) verify + derive of one document with a 30-entry chain: median and p90 over the runs, cold (a
 *     fresh TrustStore and no VerifyCache each run) and warm (a shared TrustStore and VerifyCache).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { TrustStore, VerifyCache, derive, deriveFromReport, verify } from "../../packages/crdt-model/src/index.ts";
import { createSampleAgency } from "../../packages/crdt-model/src/sample/agency.ts";
import { automergeLifecycle } from "./model/automerge-side.ts";
import { buildLongChain } from "./model/chain30.ts";
import {
  BenchFailure,
  ENTRIES_PER_DOC,
  envInt,
  log,
  must,
  newPhases,
  newReplicaCaches,
  now,
  phaseTotal,
  round,
  stats,
  timeRuns,
  type PhaseTimes,
} from "./model/common.ts";
import { modelLifecycle } from "./model/crdt-model-side.ts";
import { automergeStorage, captureLifecycle, cryptoPass, importKeys, keyImportPass, modelStorage } from "./model/crypto-and-storage.ts";

function automergeVersion(): string {
  try {
    const pkg = new URL("../../node_modules/@automerge/automerge/package.json", import.meta.url);
    return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const docs = envInt("BENCH_DOCS", 1000, 1);
  const runs = envInt("BENCH_RUNS", 100, 50);
  const warmupDocs = Math.min(20, docs);
  log(`${docs} documents, ${runs} verify+derive runs; node ${process.version}, ${os.cpus().length} cpus`);

  const a = await createSampleAgency();
  const newTrust = () => new TrustStore({ cas: [a.ca.cert], delegation: [a.delegation] });

  // (a) lifecycle. Each side gets its own long-lived TrustStore and, per replica, a long-lived
  // VerifyCache (as an app session or a server has: the agency's certificates recur — their keys are
  // imported once, in the cache's CertificateCache — and each document's signatures are new), and
  // the same warm-up, then its documents run one after another.
  const modelTrust = newTrust();
  const amTrust = newTrust();
  const modelCaches = newReplicaCaches();
  const amCaches = newReplicaCaches();
  const { ops, stored } = await captureLifecycle(a, newTrust());
  const keys = await importKeys(ops);
  log(`warming up with ${warmupDocs} documents per side`);
  for (let i = 0; i < warmupDocs; i++) {
    await modelLifecycle(a, modelTrust, modelCaches, newPhases());
    await automergeLifecycle(a, amTrust, amCaches, newPhases());
    await cryptoPass(ops, keys, 1);
    await keyImportPass(ops);
    modelStorage(a, stored);
    automergeStorage(a, stored);
  }

  // Interleaved document by document (alternating which side goes first), so that load from other
  // processes and garbage collection fall on both sides and on the crypto pass alike.
  const loadBefore = os.loadavg();
  const model = newPhases();
  const am = newPhases();
  const crypto = { signMs: 0, verifyMs: 0, keyImportMs: 0 };
  const storage = { model: 0, am: 0 };
  // CPU time of the process (every thread: the main one and the pool that signs and verifies) over
  // each side's lifecycles and over the floor's crypto alone. Other processes on the machine take
  // wall time from all three alike but do not add CPU time to this one, so these ratios hold on a
  // loaded machine where the wall-clock ones swing.
  const cpuMs = { model: 0, am: 0, floor: 0 };
  const cpuOf = async (fn: () => Promise<unknown>): Promise<number> => {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  for (let i = 0; i < docs; i++) {
    if (i % 2 === 0) {
      cpuMs.model += await cpuOf(() => modelLifecycle(a, modelTrust, modelCaches, model));
      cpuMs.am += await cpuOf(() => automergeLifecycle(a, amTrust, amCaches, am));
    } else {
      cpuMs.am += await cpuOf(() => automergeLifecycle(a, amTrust, amCaches, am));
      cpuMs.model += await cpuOf(() => modelLifecycle(a, modelTrust, modelCaches, model));
    }
    const c0 = process.cpuUsage();
    const c = await cryptoPass(ops, keys, 1);
    const cu = process.cpuUsage(c0);
    cpuMs.floor += (cu.user + cu.system) / 1000;
    crypto.signMs += c.signMs;
    crypto.verifyMs += c.verifyMs;
    // Two replicas, each importing its signers' keys: what every document cost before keys were kept.
    crypto.keyImportMs += (await keyImportPass(ops)) + (await keyImportPass(ops));
    let t0 = now();
    modelStorage(a, stored);
    storage.model += now() - t0;
    t0 = now();
    automergeStorage(a, stored);
    storage.am += now() - t0;
    if ((i + 1) % 100 === 0 || i + 1 === docs)
      log(`${i + 1}/${docs} documents: crdt-model ${round(phaseTotal(model), 0)} ms, automerge ${round(phaseTotal(am), 0)} ms, floor (crypto alone) ${round(crypto.signMs + crypto.verifyMs, 0)} ms`);
  }
  const loadAfter = os.loadavg();
  const cryptoMs = crypto.signMs + crypto.verifyMs;

  const modelMs = phaseTotal(model);
  const amMs = phaseTotal(am);
  const phases = (t: PhaseTimes) => ({ create: round(t.create, 1), steps: round(t.steps, 1), sync: round(t.sync, 1), derive: round(t.derive, 1) });
  const side = (t: PhaseTimes) => {
    const total = phaseTotal(t);
    return {
      totalMs: round(total, 1),
      perDocMs: round(total / docs),
      phasesMs: phases(t),
      // The sign calls happen in "steps", the verify calls in "derive".
      nonCryptoMs: round(total - cryptoMs, 1),
      cryptoShare: round(cryptoMs / total),
    };
  };

  // (b) verify + derive of a 30-entry chain.
  log("building the 30-entry chain");
  const long = await buildLongChain(a);
  const check30 = await derive(long, newTrust());
  must(check30.status === "decided", `30-entry chain: status ${check30.status}, expected decided`);
  must(check30.valid, "30-entry chain: not valid");
  must(check30.timeline.length === 30, `30-entry chain: ${check30.timeline.length} entries, expected 30`);
  must(check30.timeline.every((x) => x.outcome === "applied"), "30-entry chain: an entry was not applied");

  const run30 = async (trust: TrustStore, cache?: VerifyCache) => {
    const s = await derive(long, trust, cache ? { cache } : {});
    must(s.status === "decided" && s.valid, "30-entry chain: a timed derive gave a wrong outcome");
  };
  log(`verify + derive of 30 entries, ${runs} runs cold and warm`);
  for (let i = 0; i < 5; i++) await run30(newTrust());
  const cold = await timeRuns(runs, () => run30(newTrust()));
  const sharedTrust = newTrust();
  const cache = new VerifyCache();
  await run30(sharedTrust, cache);
  const warm = await timeRuns(runs, () => run30(sharedTrust, cache));
  // First open in a running session: the agency's certificates and keys are known (another document
  // by the same signers was verified), this document's signatures are not.
  const known = new VerifyCache();
  await derive(await buildLongChain(a), sharedTrust, { cache: known });
  const firstOpen = await timeRuns(runs, () => run30(sharedTrust, new VerifyCache(undefined, undefined, known.certificates)));
  // Where the warm time goes: verify alone vs. the derivation from its report.
  const warmVerify = await timeRuns(runs, async () => void (await verify(long, sharedTrust, { cache })));
  const report = await verify(long, sharedTrust, { cache });
  const fromReport = await timeRuns(runs, async () => void deriveFromReport(long, report));

  const coldS = stats(cold);
  const warmS = stats(warm);
  const ratio = amMs / modelMs;
  const floorRatio = modelMs / cryptoMs;
  const amFloorRatio = amMs / cryptoMs;
  const nonCryptoRatio = (amMs - cryptoMs) / (modelMs - cryptoMs);

  const result = {
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      // Other processes compete for the CPUs when these are high; both sides run interleaved.
      loadAverage1mDuringLifecycle: [round(loadBefore[0]!, 2), round(loadAfter[0]!, 2)],
      automerge: automergeVersion(),
    },
    lifecycle: {
      docs,
      entriesPerDoc: ENTRIES_PER_DOC,
      replicas: 2,
      crdtModelMs: round(modelMs, 1),
      automergeMs: round(amMs, 1),
      crdtModelPerDocMs: round(modelMs / docs),
      automergePerDocMs: round(amMs / docs),
      ratio: round(ratio, 2),
      ratioNote: "automerge / crdt-model, both sides with long-lived per-replica caches (every signer's key imported once per replica)",
      floorMs: round(cryptoMs, 1),
      floorPerDocMs: round(cryptoMs / docs),
      floorRatio: round(floorRatio, 3),
      automergeFloorRatio: round(amFloorRatio, 3),
      cpu: {
        crdtModelMs: round(cpuMs.model, 1),
        automergeMs: round(cpuMs.am, 1),
        floorMs: round(cpuMs.floor, 1),
        crdtModelPerDocMs: round(cpuMs.model / docs),
        automergePerDocMs: round(cpuMs.am / docs),
        floorPerDocMs: round(cpuMs.floor / docs),
        floorRatio: round(cpuMs.model / cpuMs.floor, 3),
        automergeFloorRatio: round(cpuMs.am / cpuMs.floor, 3),
        ratio: round(cpuMs.am / cpuMs.model, 2),
        note: "process CPU time (user + system, all threads) over the same sections: what other processes on a shared machine cannot inflate; the lifecycle's includes the check of its outcome (outside its wall-clock timing), a small part",
      },
      floorNote: "the floor: the lifecycle's own signatures alone, timed right after each document — 10 ECDSA P-256 signs and, on each of the 2 replicas, the 10 verifies (concurrently, as verify runs them) with every key already imported; floorRatio = crdt-model lifecycle / floor",
      phaseRatios: {
        create: round(am.create / model.create, 2),
        steps: round(am.steps / model.steps, 2),
        sync: round(am.sync / model.sync, 2),
        derive: round(am.derive / model.derive, 2),
      },
      crdtModel: side(model),
      automerge: side(am),
      crypto: {
        signMs: round(crypto.signMs, 1),
        verifyMs: round(crypto.verifyMs, 1),
        totalMs: round(cryptoMs, 1),
        perDocMs: round(cryptoMs / docs),
        keyImportMs: round(crypto.keyImportMs, 1),
        keyImportPerDocMs: round(crypto.keyImportMs / docs),
        note: "the same operations both sides perform, timed alone right after each document: 10 ECDSA P-256 signs, and on each of 2 replicas 10 verifies with keys already imported, concurrently as verify runs them (the floor). keyImportMs: what importing each signer's key again on both replicas would add per document (10 imports each) — the cost replicas no longer pay, their CertificateCache keeping the keys",
      },
      nonCryptoRatio: round(nonCryptoRatio, 2),
      storageOnly: {
        crdtModelMs: round(storage.model, 1),
        automergeMs: round(storage.am, 1),
        crdtModelPerDocMs: round(storage.model / docs),
        automergePerDocMs: round(storage.am / docs),
        ratio: round(storage.am / storage.model, 2),
        note: "the lifecycle's CRDT work alone (create, edits, the 10 captured entries and versions written where they are signed with a content read before each, fork, diff exchange, final sync, read-back on both replicas): no crypto, no parsing or validation of entries, no workflow rules",
      },
      notes: [
        "Both sides: create with validated metadata and plan, 10 signed entries over canonical content, a 主旨 edit, a concurrent 擬辦 edit on replica B while A and B each sign two countersigns, merge both ways by exchanging diffs (Yjs: state vectors → encodeState → applyUpdate; Automerge: saveSince(common heads) → loadIncremental), a final sync, derive on both replicas.",
        "The Automerge derive is verify.ts ported to Automerge storage (structure, certificate trust, signature, signed version hash, parents, per-entry workflow rule check, replay) using the model's own storage-independent functions.",
        "Outcomes are checked on every document: both replicas decided, every entry valid and applied, the same content hash equal to the decided content.",
      ],
    },
    verifyDerive30: {
      entries: 30,
      runs,
      coldMedianMs: coldS.median,
      coldP90Ms: coldS.p90,
      firstOpenMedianMs: stats(firstOpen).median,
      firstOpenP90Ms: stats(firstOpen).p90,
      warmMedianMs: warmS.median,
      warmP90Ms: warmS.p90,
      cold: coldS,
      warm: warmS,
      warmBreakdown: { verifyMedianMs: stats(warmVerify).median, deriveFromReportMedianMs: stats(fromReport).median },
      notes: "cold: a fresh TrustStore (so every signer certificate's issuer signature is checked again) and no VerifyCache each run; firstOpen: the session already knows the signers' certificates and keys, but none of this document's 30 signatures (opening a document for the first time); warm: one shared TrustStore and VerifyCache (re-deriving after an update)",
    },
    // The Automerge comparison stays, both sides with cached keys. Issue 3's goal for it (≥ 20×) was
    // set before the signatures' own cost was known; issue 14 measures the lifecycle against that
    // cost instead (goals below), so this one is reported, not a goal.
    comparisons: {
      automergeRatio: { target: "automerge / crdt-model lifecycle (issue 3 asked ≥ 20; both sides cached keys)", actual: round(ratio, 2), met: ratio >= 20 },
    },
    goals: {
      lifecycleFloorRatio: { target: "crdt-model lifecycle ≤ 1.3 × its own signatures (floorRatio)", actual: round(floorRatio, 3), met: floorRatio <= 1.3 },
      lifecycleFloorRatioCpu: {
        target: "the same in process CPU time (lifecycle.cpu.floorRatio), which load from other processes does not inflate",
        actual: round(cpuMs.model / cpuMs.floor, 3),
        met: cpuMs.model / cpuMs.floor <= 1.3,
      },
      verifyDerive30Cold: { target: "median ≤ 3 ms", actual: coldS.median, met: coldS.median <= 3 },
      verifyDerive30FirstOpen: { target: "median ≤ 3 ms", actual: stats(firstOpen).median, met: stats(firstOpen).median <= 3 },
      verifyDerive30Warm: { target: "median ≤ 3 ms", actual: warmS.median, met: warmS.median <= 3 },
    },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  for (const [name, g] of Object.entries(result.goals)) log(`goal ${name}: ${g.target}: ${g.actual} → met: ${g.met}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof BenchFailure ? `[bench] FAILED: ${e.message}` : e);
  process.exit(1);
});
