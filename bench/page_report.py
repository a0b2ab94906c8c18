"""The page benchmark's report: figures against baselines and goals, machine facts, files.

Every figure is printed with its baseline and the ratio ours/baseline; where a goal is
missed, a closing note says by how much and what the run measured that explains it: the
servers' CPU per request against the bare page's, the costliest SQL statement of the
page's profile, the server CPU per search query on each side, the memory of workers that
served no search, and the machine's load.
"""

import json
from pathlib import Path

from bench.search_bench import markdown_table, text_table

RSS_GOAL_MIB = 150.0
P99_GOAL_MS = 150.0


def _row(name, unit, ours, base, goal="—", met=None, note="", why=""):
    ratio = ours / base if ours is not None and base else None
    return {"figure": name, "unit": unit, "ours": ours, "baseline": base, "ratio": ratio,
            "goal": goal, "met": met, "note": note, "why": why}


def _cpu_why(page, bare_cpu, profile=None):
    """Where the time went: the servers' CPU per request against the bare page's, and
    (uncached) the costliest SQL statement of the page's profile."""
    mine = page.get("server_cpu_ms_per_request")
    if mine is None or not bare_cpu:
        return ""
    why = (f"the workers spent {mine:.2f} ms of CPU per request against {bare_cpu:.2f} ms for "
           f"the bare page ({mine / bare_cpu:.1f}×): the time goes into the app itself")
    share, cores = page.get("busiest_worker_share"), page.get("server_cores_used")
    if share and share > 0.8:
        why += (f"; and {share:.0%} of that CPU was one process's ({cores:.2f} cores in use): "
                "wrk's keep-alive connections landed on one gthread worker")
    if profile and profile.get("sql"):
        sql = profile["sql"][0]
        why += (f"; in the profile, {sql['ms_per_request']:.1f} of its "
                f"{profile['ms_per_request']:.1f} ms per request are one SQL statement: "
                f"{sql['statement'][:160]}{' ...' if len(sql['statement']) > 160 else ''}")
    return why


def _max_rss(workers):
    return max((w["rss"] for w in workers.values()), default=None)


def figure_rows(data):
    bare = data["bare"]
    bare_rps = (bare["start"]["requests_per_s"] + bare["end"]["requests_per_s"]) / 2
    off, on = data["ours"]["nocache"], data["ours"]["cache"]
    cache_ok = data["cache"]["implemented"]
    search, base_search = data["ours"]["search"], data["baseline"]["search"]
    docs = data["params"]["docs"]
    at = f" (stated for 10k; this run {docs})" if docs != 10000 else ""
    rows = []

    bare_cpus = [b["server_cpu_ms_per_request"] for b in (bare["start"], bare["end"])
                 if b.get("server_cpu_ms_per_request")]
    bare_cpu = sum(bare_cpus) / len(bare_cpus) if bare_cpus else None
    ratio = off["article"]["requests_per_s"] / bare_rps
    rows.append(_row("article page, page cache off", "req/s", off["article"]["requests_per_s"],
                     bare_rps, "≥ 0.5× bare", ratio >= 0.5,
                     why=_cpu_why(off["article"], bare_cpu, (data.get("profiles") or {}).get("article"))))
    ratio = on["article"]["requests_per_s"] / bare_rps
    rows.append(_row("article page, page cache on (warm)", "req/s",
                     on["article"]["requests_per_s"], bare_rps,
                     "≥ 0.9× bare" if cache_ok else "≥ 0.9× bare (cache unavailable)",
                     ratio >= 0.9 if cache_ok else None,
                     "" if cache_ok else "blogapp/caching/ does not exist: PAGE_CACHE "
                     "switches nothing, this is the uncached app again",
                     why=_cpu_why(on["article"], bare_cpu)))
    if cache_ok and on["article"]["requests_per_s"] < 1.5 * off["article"]["requests_per_s"]:
        rows[-1]["note"] = (f"with the page cache on the article page is hardly faster than "
                            f"without ({on['article']['requests_per_s']:.0f} vs "
                            f"{off['article']['requests_per_s']:.0f} req/s): it was probably "
                            "not served from the cache")
    rows.append(_row("author page, page cache off", "req/s", off["author"]["requests_per_s"],
                     bare_rps))
    rows.append(_row("author page, page cache on (warm)", "req/s",
                     on["author"]["requests_per_s"], bare_rps))
    why = (f"server CPU per query (mean): ours {search['server_cpu_ms_per_query']:.1f} ms, "
           f"baseline {base_search['server_cpu_ms_per_query']:.1f} ms")
    rows.append(_row("/api/search p50 over HTTP", "ms", search["p50_ms"], base_search["p50_ms"],
                     "≤ 1/3 baseline" + at, search["p50_ms"] <= base_search["p50_ms"] / 3, why=why))
    rows.append(_row("/api/search p99 over HTTP", "ms", search["p99_ms"], base_search["p99_ms"],
                     "≤ 1/3 baseline" + at, search["p99_ms"] <= base_search["p99_ms"] / 3, why=why))
    rows.append(_row("/api/search p99 over HTTP, absolute", "ms", search["p99_ms"], None,
                     f"≤ {P99_GOAL_MS:.0f} ms (stated for 100k)", search["p99_ms"] <= P99_GOAL_MS,
                     why=why))
    reindex, built = data["reindex"], data.get("baseline_build")
    if reindex["seconds"] is not None and built:
        rows.append(_row("reindex (flask reindex) vs baseline build, 1 process", "s",
                         reindex["seconds"], built["seconds"], "≤ 0.5× baseline",
                         reindex["seconds"] <= 0.5 * built["seconds"],
                         why=f"load average after ours {data['phases_load1'].get('flask reindex')}, "
                         f"after the baseline's {data['phases_load1'].get('baseline index build')}"))
    pages_only = _max_rss(data["ours"]["rss_cache"])
    for label, key in (("page cache off, after pages + search", "rss_nocache"),
                       ("page cache on, after pages", "rss_cache")):
        rss = _max_rss(data["ours"][key])
        why = ""
        if key == "rss_nocache" and rss is not None and pages_only is not None:
            why = (f"the cache-on workers, which served pages but no search, hold "
                   f"{pages_only:.0f} MiB: {rss - pages_only:.0f} MiB more came with searching")
        rows.append(_row(f"RSS per worker (largest of {len(data['ours'][key])}), {label}", "MiB",
                         rss, _max_rss(data["baseline"]["rss"]), f"≤ {RSS_GOAL_MIB:.0f} MiB" + at,
                         rss is not None and rss <= RSS_GOAL_MIB, why=why))
    saves = data["ours"]["save_to_searchable"]
    found = [s["searchable_s"] for s in saves]
    worst = None if None in found else max(found)
    rows.append(_row(f"publish → found by /api/search (worst of {len(saves)})", "s", worst, None,
                     "≤ 1 s", worst is not None and worst <= 1.0,
                     "" if worst is not None else "a post was not found within 30 s"))
    return rows


def missed_notes(rows, data):
    """One line per missed goal: by how much, and what the run saw that explains it."""
    notes = []
    m = data["machine"]
    loads = [*m["load_average_at_start"][:1], *data["phases_load1"].values(), m["load_average"][0]]
    busy = (f"; the load average reached {max(loads)} on {m['usable_cores']} cores, so part "
            "of it is other processes" if max(loads) > m["usable_cores"] else "")
    for r in rows:
        before = len(notes)
        if r["met"] is not False:
            continue
        if r["ours"] is None:
            notes.append(f"{r['figure']}: no value ({r['note']})")
        elif r["unit"] == "req/s":
            want = float(r["goal"].split("≥ ")[1].split("×")[0])
            notes.append(f"{r['figure']}: {r['ratio']:.2f}× bare, goal {want}× — short by "
                         f"{(1 - r['ratio'] / want) * 100:.0f}% ({r['ours']:.0f} of "
                         f"{want * r['baseline']:.0f} req/s)")
        elif "1/3" in r["goal"]:
            notes.append(f"{r['figure']}: {r['ratio']:.2f}× baseline, goal 0.33× — "
                         f"{r['ours'] - r['baseline'] / 3:.1f} ms too slow "
                         f"({r['ratio'] * 3:.1f}× the allowed time)")
        elif "0.5×" in r["goal"]:
            notes.append(f"{r['figure']}: {r['ratio']:.2f}× baseline, goal 0.5× — "
                         f"{r['ours'] - r['baseline'] / 2:.1f} s too slow")
        else:
            limit = float(r["goal"].split("≤ ")[1].split()[0])
            notes.append(f"{r['figure']}: {r['ours']:.1f} {r['unit']}, goal ≤ {limit:g} — over by "
                         f"{r['ours'] - limit:.1f} {r['unit']} ({(r['ours'] / limit - 1) * 100:.0f}%)")
        timing = busy if r["unit"] != "MiB" else ""  # load slows things, it takes no memory
        if len(notes) > before and (r["why"] or timing):
            notes[-1] += ". Why: " + (r["why"] or "not measured") + timing
    return notes


def _wrk_runs(data):
    """``(name, wrk result)`` of every measured load test, in run order."""
    yield "bare (start)", data["bare"]["start"]
    for state, key in (("cache off", "nocache"), ("cache on", "cache")):
        for label, page in data["ours"][key].items():
            yield f"{label}, {state}", page
    yield "bare (end)", data["bare"]["end"]


def facts_lines(data):
    m, p, g, ds = data["machine"], data["params"], data["gunicorn"], data["dataset"]
    bare = data["bare"]
    lines = []
    loads = [*m["load_average_at_start"][:1], *data["phases_load1"].values(), m["load_average"][0]]
    if max(loads) > m["usable_cores"]:
        lines.append(f"WARNING: the 1-minute load average reached {max(loads)} on "
                     f"{m['usable_cores']} usable cores: other processes competed for the CPU, "
                     "throughput and latency are noisy")
    for name, run in _wrk_runs(data):
        if run["errors"].get("timeout"):
            lines.append(f"WARNING: {run['errors']['timeout']} requests of '{name}' got no answer "
                         f"within {run['params']['timeout']} s (counted as not served)")
    if ds.get("stale"):
        lines.append("WARNING: the cached dataset was built by other importer/model code "
                     "(--reuse-stale)")
    lines += [
        f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{m['ram_gib']} GiB RAM, Python {m['python']} ({m['platform']}); load average "
        f"{'/'.join(map(str, m['load_average_at_start']))} at start, "
        f"{'/'.join(map(str, m['load_average']))} at end",
        f"gunicorn.conf.py: worker class {g['worker_class']}, {g['workers']} workers × "
        f"{g['threads']} threads, keepalive {g['keepalive']} s, access log {g['accesslog']!r} "
        "(to a file), max_requests 0 (no recycling during a run); the same for every app",
        f"load generator: {data['wrk']}, -t{p['wrk_threads']} -c{p['connections']} "
        f"-d{p['duration_s']}s after a {p['warmup_s']} s warm-up run per URL, on the same "
        "machine (wrk and the servers share its cores)",
        f"bare Flask 20 KB page: {bare['start']['requests_per_s']:.0f} req/s at the start, "
        f"{bare['end']['requests_per_s']:.0f} at the end (the baseline is their mean)",
        "pages: " + ", ".join(
            f"{label} {page['path']} {page['page_bytes'] / 1024:.1f} KiB"
            for label, page in data["ours"]["nocache"].items()),
        "wrk latency p50/p99 (ms): " + "; ".join(
            f"{name} {run['latency_us']['p50'] / 1000:.1f}/{run['latency_us']['p99'] / 1000:.1f}"
            for name, run in _wrk_runs(data)),
        "server CPU per request (ms): bare " + "/".join(
            f"{b['server_cpu_ms_per_request']:.2f}" for b in (bare["start"], bare["end"]))
        + "; " + "; ".join(
            f"{label} cache {state} {data['ours'][key][label]['server_cpu_ms_per_request']:.2f}"
            for label in ("article", "author")
            for state, key in (("off", "nocache"), ("on", "cache"))),
        "server cores in use, share of the busiest process: " + "; ".join(
            f"{name} {run['server_cores_used']:.2f}, {run['busiest_worker_share']:.0%}"
            for name, run in _wrk_runs(data) if run.get("server_cores_used") is not None),
        f"page cache: off {json.dumps(data['cache']['off'])}, on "
        f"{json.dumps(data['cache']['on'])}"
        + ("" if data["cache"]["implemented"] else " — NOT IMPLEMENTED (no blogapp/caching/)"),
        f"dataset: {ds['docs']} posts ({_dataset_origin(ds)}, seed {ds['seed']}), "
        f"on {ds['created']} (code key {ds['key']})",
        f"search: {p['queries']} queries after {p['warmup_queries']} warm-up, one at a time over "
        f"a kept-alive connection, ours and baseline interleaved; with hits: ours "
        f"{data['ours']['search']['with_hits']}, baseline {data['baseline']['search']['with_hits']}; "
        "baseline = plain Whoosh + jieba ChineseAnalyzer (bench/baseline_app.py) under the "
        "same gunicorn settings",
        f"reindex: {data['reindex']['command']}: {data['reindex']['output']} "
        f"(wall incl. app start {data['reindex']['wall_s']:.1f} s)",
        "RSS (VmRSS, MiB) per worker: " + "; ".join(
            f"{name} " + ", ".join(f"{w['rss']:.0f} (peak {w['hwm']:.0f})" for w in workers.values())
            for name, workers in (("ours, cache off", data["ours"]["rss_nocache"]),
                                  ("ours, cache on", data["ours"]["rss_cache"]),
                                  ("baseline search", data["baseline"]["rss"]))),
        "publish → searchable (s): " + ", ".join(
            "not found" if s["searchable_s"] is None
            else f"{s['searchable_s']:.3f} (save {s['save_s']:.3f})"
            for s in data["ours"]["save_to_searchable"]),
    ]
    return lines


def report(data, out_dir):
    """Print the table, notes and facts; write page-<stamp>.json/.md and page-latest.md."""
    rows = figure_rows(data)
    notes = missed_notes(rows, data)
    facts = facts_lines(data)
    phases = ", ".join(f"{k} {v:.1f} s (load {data['phases_load1'][k]})"
                       for k, v in data["phases_s"].items())
    print()
    print(text_table(rows))
    print()
    for line in facts:
        print(line)
    print("phases: " + phases)
    if notes:
        print("\nmissed goals:")
        for line in notes:
            print("  " + line)
    profiles = data.get("profiles") or {}
    for label, prof in profiles.items():
        print(f"\nprofile of the {label} page (cache off): {prof['file']} — "
              + prof["text"].splitlines()[0])
        sql = prof["text"].split("-- SQL:", 1)[-1].splitlines()
        print("  SQL:" + sql[0].rstrip(" -"))
        for line in sql[1:4]:
            print("  " + line.strip()[:200])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = data["timestamp"]
    (out / f"page-{stamp}.json").write_text(
        json.dumps({**data, "figures": rows, "missed": notes}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    p = data["params"]
    md = "\n".join([
        f"# Page benchmark {stamp}", "",
        f"`bench/page_bench.py --docs {p['docs']} --seed {p['seed']} --queries {p['queries']} "
        f"--duration {p['duration_s']} --connections {p['connections']}`", "",
        markdown_table(rows), "",
        *[f"- {line}" for line in facts],
        f"- phases: {phases}", "",
        *(["## Missed goals", "", *[f"- {line}" for line in notes], ""] if notes else []),
        *[f"- note on {r['figure']}: {r['note']}" for r in rows if r["note"]],
        "",
        *[part for label, prof in profiles.items() for part in (
            f"## Profile of the {label} page (page cache off)", "",
            f"`{Path(prof['file']).name}`; {prof['text'].splitlines()[0]}", "",
            "```", *prof["text"].splitlines()[1:], "```", "")],
    ])
    (out / f"page-{stamp}.md").write_text(md, encoding="utf-8")
    (out / "page-latest.md").write_text(md, encoding="utf-8")
    print(f"\nwrote {out / f'page-{stamp}.json'} and page-{stamp}.md (and page-latest.md)")
    return rows


def _dataset_origin(ds):
    """How the cached dataset was made (an adopted one was imported by an earlier run)."""
    if ds["import"].get("seconds") is None:
        return f"imported with flask import-posts by an earlier run: {ds['import']['note']}"
    return (f"{ds['corpus_mib']:.1f} MiB Markdown, imported with flask import-posts in "
            f"{ds['import']['seconds']:.0f} s")
