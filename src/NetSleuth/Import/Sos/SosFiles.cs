using NetSleuth.Model;

namespace NetSleuth.Import.Sos;

/// <summary>File access inside one sosreport directory; unreadable files become warnings.</summary>
internal sealed class SosFiles(string root, ImportLog log)
{
    /// <summary>Larger command outputs are cut (a warning says so): no network command prints this much.</summary>
    public const long MaxFileBytes = 64L << 20;

    public string Full(string rel) => Path.Combine(root, rel);

    public string? FirstLine(string rel)
    {
        var lines = File.Exists(Full(rel)) ? Lines(rel) : null;
        return lines?.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
    }

    public List<string>? Lines(string? rel)
    {
        if (rel is null) return null;
        var path = Full(rel);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            if (FileKinds.Of(path) is { } kind && kind != FileKinds.Regular)
            {
                log.Warn(new SourceRef(path), $"sosreport: skipped: {kind}, not a regular file");
                return null;
            }
            if (info.Length > MaxFileBytes)
            {
                log.Warn(new SourceRef(path), $"sosreport: file larger than {MaxFileBytes >> 20} MiB, only its start is read");
                using var s = File.OpenRead(path);
                var buf = new byte[MaxFileBytes];
                int n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
                var text = System.Text.Encoding.UTF8.GetString(buf, 0, n);
                var cut = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
                if (cut.Count > 0 && cut[^1].Length == 0) cut.RemoveAt(cut.Count - 1); // the final newline
                return cut;
            }
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return TextCleaner.ReadLines(reader, clean: TrimCr); // no final empty line: the file's last newline
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warn(new SourceRef(path), $"sosreport: cannot read: {e.Message}");
            return null;
        }
    }

    private static readonly Func<string, string> TrimCr = l => l.TrimEnd('\r');

    /// <summary>Regular files directly in <paramref name="relDir"/>: (relative path, file name), by name.</summary>
    public IEnumerable<(string Rel, string Name)> FilesIn(string relDir)
    {
        var dir = Full(relDir);
        if (!Directory.Exists(dir)) return [];
        try
        {
            return Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>()
                .Order(StringComparer.Ordinal).Select(n => (Path.Combine(relDir, n), n)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warn(new SourceRef(dir), $"sosreport: cannot list: {e.Message}");
            return [];
        }
    }

    public IEnumerable<string> Subdirectories(string relDir)
    {
        var dir = Full(relDir);
        if (!Directory.Exists(dir)) return [];
        try { return Directory.GetDirectories(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>The first file in <paramref name="relDir"/> whose mangled command starts with these words.</summary>
    public string? Find(string relDir, params string[] words) =>
        FilesIn(relDir).Where(f =>
        {
            var w = f.Name.Split('_');
            int j = 0;
            foreach (var part in w) if (j < words.Length && part == words[j]) j++;
            return w[0] == words[0] && j == words.Length;
        }).Select(f => f.Rel).FirstOrDefault();
}
