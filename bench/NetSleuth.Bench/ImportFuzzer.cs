using System.Diagnostics;
using System.Globalization;
using System.Text;
using NetSleuth.Import;
using NetSleuth.Model;

namespace NetSleuth.Bench;

/// <summary>
/// Fuzzes the importers end to end: real inputs (captured outputs, transcripts, snapshots, sosreport
/// files) damaged by a seeded mutator, each written to a file under its own name (so the file-name
/// rules apply) and loaded with <see cref="InputLoader.LoadInputs"/> as the commands do. Counts
/// crashes (any exception but <see cref="InputException"/>), hangs (an input not read within the
/// bound), the slowest input, the most warnings one input kept, and the managed heap after each input.
/// The bench's `fuzz` command runs it at length; a fast test runs a bounded subset.
/// </summary>
public sealed class ImportFuzzer(IReadOnlyList<string> seeds, int seed)
{
    /// <summary>One input longer than this counts as a hang.</summary>
    public TimeSpan HangBound { get; init; } = TimeSpan.FromSeconds(10);

    private readonly Random _rnd = new(seed);

    public static readonly string[] Mutations =
    [
        "truncate", "delete-lines", "duplicate-lines", "swap-lines", "flip-bytes", "inject-binary", "huge-line",
        "many-unknown-words", "unicode", "crlf", "empty", "shuffle", "splice", "json-wrong-type", "json-cut", "deep-nesting",
    ];

    /// <summary>What a run found.</summary>
    public sealed record Report(int Inputs, List<string> Crashes, List<string> Hangs, double SlowestSeconds, string Slowest,
        int MostWarnings, long MaxHeapBytes, long PeakRssBytes, Dictionary<string, int> ByMutation)
    {
        public string Summary() => string.Create(CultureInfo.InvariantCulture,
            $"{Inputs} inputs: {Crashes.Count} crashes, {Hangs.Count} hangs; slowest {SlowestSeconds:F2} s ({Slowest}); " +
            $"most warnings kept for one input {MostWarnings}; managed heap after an input at most {MaxHeapBytes / 1048576.0:F0} MiB; peak RSS {PeakRssBytes / 1048576.0:F0} MiB");
    }

    /// <summary>Real inputs under the given roots: every regular file (notes and capture scripts aside).</summary>
    public static List<string> Seeds(params string[] roots)
    {
        var files = new List<string>();
        foreach (var r in roots)
        {
            if (File.Exists(r)) { files.Add(r); continue; }
            if (!Directory.Exists(r)) continue;
            foreach (var f in Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(f);
                if (name is "NOTE.md" or "README.md" or "capture.sh" || new FileInfo(f).Length > 4 << 20) continue;
                files.Add(f);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Runs COUNT damaged inputs in scratch directory WORK (made and removed here).</summary>
    public Report Run(int count, string work, Action<string>? progress = null)
    {
        Directory.CreateDirectory(work);
        var crashes = new List<string>();
        var hangs = new List<string>();
        var byMutation = new Dictionary<string, int>(StringComparer.Ordinal);
        double slowest = 0;
        string slowestWhat = "";
        int mostWarnings = 0;
        long maxHeap = 0, peak = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var source = seeds[_rnd.Next(seeds.Count)];
                var text = File.ReadAllText(source);
                int n = 1 + _rnd.Next(3);
                var applied = new List<string>();
                for (int k = 0; k < n; k++)
                {
                    var m = Mutations[_rnd.Next(Mutations.Length)];
                    text = Mutate(m, text);
                    applied.Add(m);
                    byMutation[m] = byMutation.GetValueOrDefault(m) + 1;
                }
                var dir = Path.Combine(work, i.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                var file = Path.Combine(dir, Path.GetFileName(source));
                File.WriteAllText(file, text, new UTF8Encoding(false));
                var what = $"{Path.GetFileName(source)} [{string.Join('+', applied)}] seed {seed} #{i}";
                var sw = Stopwatch.StartNew();
                var task = Task.Run(() => InputLoader.LoadInputs([file]));
                try
                {
                    if (!task.Wait(HangBound)) { hangs.Add(what); continue; }
                    var snap = task.Result.Snapshot;
                    int warnings = snap.Warnings.Count;
                    foreach (var h in snap.Hosts) warnings += h.Warnings.Count;
                    mostWarnings = Math.Max(mostWarnings, warnings);
                }
                catch (AggregateException e) when (e.InnerException is InputException)
                {
                    // bad input said as file:line: the expected way to refuse
                }
                catch (AggregateException e)
                {
                    var inner = e.InnerException ?? e;
                    crashes.Add($"{what}: {inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
                }
                sw.Stop();
                if (sw.Elapsed.TotalSeconds > slowest) { slowest = sw.Elapsed.TotalSeconds; slowestWhat = what; }
                Directory.Delete(dir, recursive: true);
                if (i % 50 == 0)
                {
                    maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(forceFullCollection: true));
                    peak = Math.Max(peak, PeakRss());
                    progress?.Invoke($"{i}/{count}");
                }
            }
            maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(forceFullCollection: true));
            peak = Math.Max(peak, PeakRss());
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return new Report(count, crashes, hangs, slowest, slowestWhat, mostWarnings, maxHeap, peak, byMutation);
    }

    /// <summary>One kind of damage, deterministic for the fuzzer's seed.</summary>
    public string Mutate(string kind, string text)
    {
        var lines = text.Split('\n').ToList();
        int Pick() => lines.Count == 0 ? 0 : _rnd.Next(lines.Count);
        switch (kind)
        {
            case "truncate":
                return text[.._rnd.Next(text.Length + 1)];
            case "delete-lines":
                for (int i = 0; i < 1 + lines.Count / 4 && lines.Count > 0; i++) lines.RemoveAt(Pick());
                break;
            case "duplicate-lines":
                for (int i = 0; i < 1 + lines.Count / 4 && lines.Count > 0; i++) { int k = Pick(); lines.Insert(k, lines[k]); }
                break;
            case "swap-lines":
                for (int i = 0; i < 5 && lines.Count > 1; i++) { int a = Pick(), b = Pick(); (lines[a], lines[b]) = (lines[b], lines[a]); }
                break;
            case "flip-bytes":
            {
                var chars = text.ToCharArray();
                for (int i = 0; i < 1 + chars.Length / 50 && chars.Length > 0; i++) chars[_rnd.Next(chars.Length)] = (char)_rnd.Next(0, 256);
                return new string(chars);
            }
            case "inject-binary":
            {
                var bin = new char[1 + _rnd.Next(2048)];
                for (int i = 0; i < bin.Length; i++) bin[i] = (char)_rnd.Next(0, 256);
                lines.Insert(Pick(), new string(bin));
                break;
            }
            case "huge-line":
            {
                string[] tokens = ["a", " ", "{", "[", "\"", "=", ",", ":", "-A ", "port ", "}", "]", "\\", "dev ", "via ", "10.0.0.1 ", "mtu "];
                var sb = new StringBuilder();
                int len = 100_000 + _rnd.Next(900_000);
                while (sb.Length < len) sb.Append(tokens[_rnd.Next(tokens.Length)]);
                lines.Insert(Pick(), sb.ToString());
                break;
            }
            case "many-unknown-words":
            {
                // a real line followed by a megabyte of words no parser knows (one warning each, once)
                int k = Pick();
                var sb = new StringBuilder(lines.Count > 0 ? lines[k] : "");
                int words = 50_000 + _rnd.Next(200_000);
                for (int i = 0; i < words; i++) sb.Append(" zq").Append(i % 97);
                if (lines.Count > 0) lines[k] = sb.ToString(); else lines.Add(sb.ToString());
                break;
            }
            case "unicode":
                for (int i = 0; i < lines.Count; i++)
                    lines[i] = lines[i].Replace(' ', _rnd.Next(4) == 0 ? '\u00a0' : ' ').Replace(':', _rnd.Next(5) == 0 ? '\uff1a' : ':');
                lines.Insert(Pick(), "\u202e\ud800 \udfff 🐧 é\u0301 ＝");
                break;
            case "crlf":
                return text.Replace("\n", "\r\n");
            case "empty":
                return _rnd.Next(2) == 0 ? "" : "\n\n\n";
            case "shuffle":
                lines = lines.OrderBy(_ => _rnd.Next()).ToList();
                break;
            case "splice":
            {
                var other = File.ReadAllText(seeds[_rnd.Next(seeds.Count)]).Split('\n');
                int at = Pick(), from = other.Length == 0 ? 0 : _rnd.Next(other.Length);
                lines.InsertRange(at, other.Skip(from).Take(1 + _rnd.Next(40)));
                break;
            }
            case "json-wrong-type":
            {
                // a number where a string goes, a string where a number goes, an object for a list
                string[] swaps = ["\"x\"", "12345678901234567890", "-1", "null", "{}", "[]", "true", "\"\"", "1e999"];
                var sb = new StringBuilder(text);
                for (int i = 0; i < 1 + _rnd.Next(5); i++)
                {
                    int colon = sb.Length == 0 ? -1 : sb.ToString().IndexOf(": ", _rnd.Next(sb.Length), StringComparison.Ordinal);
                    if (colon < 0) break;
                    int end = colon + 2;
                    while (end < sb.Length && sb[end] is not (',' or '\n' or '}' or ']')) end++;
                    sb.Remove(colon + 2, end - colon - 2).Insert(colon + 2, swaps[_rnd.Next(swaps.Length)]);
                }
                return sb.ToString();
            }
            case "json-cut":
            {
                int at = text.Length == 0 ? 0 : _rnd.Next(text.Length);
                return text[..at] + (_rnd.Next(2) == 0 ? "" : "]}]}") + text[Math.Min(text.Length, at + _rnd.Next(200))..];
            }
            case "deep-nesting":
            {
                int depth = 1000 + _rnd.Next(100_000);
                lines.Insert(Pick(), new string('[', depth) + new string(']', _rnd.Next(depth)));
                break;
            }
        }
        return string.Join('\n', lines);
    }

    private static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
