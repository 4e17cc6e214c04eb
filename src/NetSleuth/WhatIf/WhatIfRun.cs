using System.Text;
using System.Text.Json.Nodes;
using NetSleuth.Diagnosis;
using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>A traced path whose verdict differs between two models.</summary>
public sealed record PathChange(string Label, PathVerdict Before, PathVerdict After, string? WhyBefore, string? WhyAfter)
{
    public override string ToString() =>
        $"{Label}: {Word(Before)}{(WhyBefore is null ? "" : $" ({WhyBefore})")} → {Word(After)}{(WhyAfter is null ? "" : $" ({WhyAfter})")}";

    internal static string Word(PathVerdict v) => v switch { PathVerdict.Works => "works", PathVerdict.Broken => "broken", _ => "undecided" };
}

/// <summary>What a set of edits changes in a diagnosis: paths whose verdict changed, findings that appear or disappear.</summary>
public sealed class DiagnosisChange
{
    public required IReadOnlyList<PathChange> Paths { get; init; }
    /// <summary>Paths traced in both models.</summary>
    public int PathsCompared { get; init; }
    public required IReadOnlyList<Finding> Gone { get; init; }
    public required IReadOnlyList<Finding> New { get; init; }

    /// <summary>Compares two diagnoses: each path of <paramref name="before"/> traced again on <paramref name="afterTopology"/>
    /// (as <paramref name="after"/> may list other paths), and the findings by id and root cause.</summary>
    public static DiagnosisChange Compare(DiagnosisReport before, DiagnosisReport after, Topology.Topology afterTopology)
    {
        var afterByLabel = new Dictionary<string, TracedPath>(StringComparer.Ordinal);
        foreach (var p in after.Paths) afterByLabel.TryAdd(p.Label, p);
        var changes = new List<PathChange>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in before.Paths)
        {
            if (!seen.Add(p.Label)) continue;
            var (v, why) = afterByLabel.TryGetValue(p.Label, out var q) ? (q.Verdict, q.Why) : PathTracer.Verdict(afterTopology, p.Request);
            if (v != p.Verdict) changes.Add(new PathChange(p.Label, p.Verdict, v, p.Why, why));
        }
        foreach (var q in after.Paths)
            if (seen.Add(q.Label) && q.Verdict != PathVerdict.Works)
                changes.Add(new PathChange(q.Label + " (traced only after)", PathVerdict.Works, q.Verdict, "not traced before", q.Why));
        static string Key(Finding f) => f.Id + "|" + f.RootCause;
        var beforeKeys = before.Findings.Select(Key).ToHashSet(StringComparer.Ordinal);
        var afterKeys = after.Findings.Select(Key).ToHashSet(StringComparer.Ordinal);
        return new DiagnosisChange
        {
            Paths = changes, PathsCompared = seen.Count,
            Gone = before.Findings.Where(f => !afterKeys.Contains(Key(f))).ToList(),
            New = after.Findings.Where(f => !beforeKeys.Contains(Key(f))).ToList(),
        };
    }
}

/// <summary>`--what-if FILE`: the script read and applied, the diagnosis after it, and what changed.</summary>
public sealed class WhatIfResult
{
    public required string File { get; init; }
    public required WhatIfScript Script { get; init; }
    public required IReadOnlyCollection<string> TouchedHosts { get; init; }
    public required DiagnosisReport After { get; init; }
    public required DiagnosisChange Change { get; init; }

    /// <summary>Reads FILE, applies it to a copy of <paramref name="snapshot"/>, diagnoses both and compares.</summary>
    /// <exception cref="InputException">a syntax error, unknown host/namespace/device: file and line</exception>
    public static WhatIfResult Run(string file, string text, Snapshot snapshot, DiagnosisReport before, Reachability.Request? request)
    {
        var script = CommandInterpreter.Read(text, file, snapshot);
        var copy = ModelCopy.Apply(snapshot, script);
        var topology = Topology.Linker.Link(copy.Result);
        var after = Diagnoser.Run(topology, request, new DiagnoseOptions { VerifyFixes = false });
        return new WhatIfResult
        {
            File = file, Script = script, TouchedHosts = copy.TouchedHosts, After = after,
            Change = DiagnosisChange.Compare(before, after, topology),
        };
    }

    /// <summary>The what-if part of the text report (the diagnosis after the commands follows it).</summary>
    public string RenderText()
    {
        var sb = new StringBuilder();
        int modelled = Script.Commands.Count(c => c.NotModelled is null);
        sb.Append($"what-if {File}: {modelled} command{(modelled == 1 ? "" : "s")} applied to a copy of the model");
        if (TouchedHosts.Count > 0) sb.Append($" (hosts changed: {string.Join(", ", TouchedHosts)})");
        sb.Append('\n');
        var nm = Script.NotModelled.ToList();
        if (nm.Count > 0)
        {
            sb.Append($"  NOT MODELLED ({nm.Count}): the model cannot tell what these do; the result leaves them out\n");
            foreach (var c in nm) sb.Append($"    {c.Source}: {c.Text}\n      {c.NotModelled}\n");
        }
        var ch = Change;
        sb.Append($"\npaths whose verdict changed: {ch.Paths.Count} of {ch.PathsCompared}\n");
        foreach (var p in ch.Paths) sb.Append("  ").Append(p).Append('\n');
        if (ch.Gone.Count > 0)
        {
            sb.Append($"\nfindings gone ({ch.Gone.Count}):\n");
            foreach (var f in ch.Gone) sb.Append($"  - {f.Id}: {f.Title}\n");
        }
        if (ch.New.Count > 0)
        {
            sb.Append($"\nnew findings ({ch.New.Count}):\n");
            foreach (var f in ch.New) sb.Append($"  + {f.Id}: {f.Title}\n");
        }
        sb.Append("\nthe diagnosis after the commands:\n\n");
        return sb.ToString();
    }

    /// <summary>The what-if part as JSON (the diagnosis after the commands is the rest of the document).</summary>
    public JsonObject ToJson() => new()
    {
        ["file"] = File,
        ["hostsChanged"] = new JsonArray(TouchedHosts.Select(h => (JsonNode)JsonValue.Create(h)!).ToArray()),
        ["commands"] = new JsonArray(Script.Commands.Select(c => (JsonNode)new JsonObject
        {
            ["source"] = c.Source.ToString(), ["host"] = c.Host, ["namespace"] = c.Netns ?? (c.NsPid is { } p ? $"pid {p}" : null),
            ["command"] = c.Text, ["edits"] = new JsonArray(c.Edits.Select(e => (JsonNode)JsonValue.Create(e.Describe())!).ToArray()),
            ["notModelled"] = c.NotModelled,
        }).ToArray()),
        ["pathsCompared"] = Change.PathsCompared,
        ["pathChanges"] = new JsonArray(Change.Paths.Select(p => (JsonNode)new JsonObject
        {
            ["path"] = p.Label, ["before"] = PathChange.Word(p.Before), ["after"] = PathChange.Word(p.After), ["whyBefore"] = p.WhyBefore, ["whyAfter"] = p.WhyAfter,
        }).ToArray()),
        ["findingsGone"] = new JsonArray(Change.Gone.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["title"] = f.Title }).ToArray()),
        ["findingsNew"] = new JsonArray(Change.New.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["title"] = f.Title }).ToArray()),
    };
}

/// <summary>The fixes of a diagnosis as one shell script, per host (`diagnose --fix-script FILE`); `--what-if` reads it back.</summary>
public static class FixScript
{
    public static string Render(DiagnosisReport report, IEnumerable<string> inputs)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Fixes printed by netsleuth diagnose ").Append(string.Join(' ', inputs.Select(Util.Shell.Quote))).Append('\n');
        sb.Append("# Run each host's commands on that host (the `# host:` lines say which). What they change in the model:\n");
        sb.Append("#   netsleuth diagnose INPUT... --what-if THIS_FILE\n");
        sb.Append("set -e\n");
        int n = 0;
        foreach (var f in report.Findings)
        {
            if (f.Fix.Count == 0) continue;
            n++;
            sb.Append($"\n# {f.Severity.ToString().ToLowerInvariant()} {f.Id}: {f.Title}\n");
            if (f.Verification is { } v) sb.Append("# fix ").Append(v.Summary()).Append('\n');
            foreach (var step in f.Fix)
            {
                sb.Append($"# host: {step.Host}").Append(step.Namespace is null ? "" : $" (namespace {step.Namespace})").Append('\n');
                if (step.Note is { } note) sb.Append("# ").Append(note).Append('\n');
                foreach (var c in step.Commands)
                {
                    // a command with a placeholder cannot run as written: left commented out
                    if (c.Split(' ').Contains("PID")) sb.Append("# (replace PID, then run) ").Append(c).Append('\n');
                    else sb.Append(c).Append('\n');
                }
            }
        }
        if (n == 0) sb.Append("\n# no finding has a fix\n");
        return sb.ToString();
    }
}
