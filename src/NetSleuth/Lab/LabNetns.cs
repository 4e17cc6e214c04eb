using System.Diagnostics;
using System.Globalization;
using NetSleuth.Collect;

namespace NetSleuth.Lab;

/// <summary>A namespace a lab made: its name and the inode of the namespace (nsfs) it was given.</summary>
public sealed record LabNetnsRecord(string Name, long Inode);

/// <summary>
/// The namespaces a lab made, and only those. Each one is made nameless first (an
/// <c>unshare --net cat</c> holder process), its inode is written down (the state file and an
/// append-only list in the lab's directory), and only then is it given its name with
/// <c>ip netns attach</c>, which fails when the name exists. So a name is on record with its inode
/// before it exists, a kill at any moment leaves nothing unrecorded, and <c>lab down</c> removes a
/// name only while it still points at the recorded namespace: never by name alone.
/// </summary>
internal static class LabNetns
{
    /// <summary>/run/netsleuth/PREFIX/namespaces: "NAME INODE" per line, appended before each name is made.</summary>
    public static string JournalFile(string prefix) => Path.Combine(LabPaths.WorkDir(prefix), "namespaces");

    /// <summary>
    /// Makes the namespace NAME: RECORD gets its inode before the name exists, then the name is
    /// attached. A failure raises <see cref="LabException"/> (the holder is ended either way).
    /// </summary>
    public static void Create(LabShell sh, string name, Action<long> record)
    {
        sh.ThrowIfCancelled();
        var psi = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // cat holds the namespace and ends by itself when this process dies (its stdin closes)
        foreach (var a in new[] { "--net", "--", "cat" }) psi.ArgumentList.Add(a);
        Process holder;
        try { holder = Process.Start(psi) ?? throw new LabException("unshare did not start"); }
        catch (System.ComponentModel.Win32Exception e) { throw new LabException($"unshare: {e.Message} (install util-linux)"); }
        using (holder)
        {
            try
            {
                var inode = WaitForOwnNamespace(holder);
                record(inode);
                sh.Run("ip", "netns", "attach", name, holder.Id.ToString(CultureInfo.InvariantCulture));
                if (InodeOf(name) != inode) throw new LabException($"namespace {name} is not the one made for it");
            }
            finally
            {
                try { holder.StandardInput.Close(); } catch (IOException) { }
                if (!holder.WaitForExit(2000)) try { holder.Kill(); } catch (InvalidOperationException) { }
            }
        }
    }

    /// <summary>The inode of the holder's namespace, once it has left ours.</summary>
    private static long WaitForOwnNamespace(Process holder)
    {
        var mine = NamespaceDiscovery.InodeOf("/proc/self/ns/net");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (holder.HasExited)
                throw new LabException($"unshare --net failed: {holder.StandardError.ReadToEnd().Trim()}");
            var ino = NamespaceDiscovery.InodeOf($"/proc/{holder.Id}/ns/net");
            if (ino is not null && ino != mine) return ino.Value;
            Thread.Sleep(1);
        }
        throw new LabException("unshare --net did not make a namespace within 10 s");
    }

    /// <summary>The inode of the named namespace /run/netns/NAME, or null when there is none.</summary>
    public static long? InodeOf(string name)
    {
        if (name.Length == 0 || name.Contains('/')) return null;
        int fd = Native.Open(Path.Combine(LabNamespaces.Dir, name), Native.O_RDONLY | Native.O_CLOEXEC);
        if (fd < 0) return null;
        try { return Native.Inode(fd); }
        finally { Native.Close(fd); }
    }

    /// <summary>Appends NAME INODE to the lab's list (one short write, flushed, before the name is made).</summary>
    public static void Journal(string prefix, string name, long inode)
    {
        Directory.CreateDirectory(LabPaths.WorkDir(prefix));
        using var f = new FileStream(JournalFile(prefix), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var bytes = System.Text.Encoding.UTF8.GetBytes($"{name} {inode.ToString(CultureInfo.InvariantCulture)}\n");
        f.Write(bytes);
        f.Flush(flushToDisk: true);
    }

    /// <summary>What the lab's list holds; a torn last line (a kill mid-write) is left out.</summary>
    public static IReadOnlyList<LabNetnsRecord> ReadJournal(string prefix)
    {
        string text;
        try { text = File.ReadAllText(JournalFile(prefix)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        var list = new List<LabNetnsRecord>();
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && LabPaths.BelongsTo(parts[0], prefix)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ino))
                list.Add(new LabNetnsRecord(parts[0], ino));
        }
        return list;
    }

    /// <summary>The namespaces lab PREFIX made, from its state (when readable) and its list.</summary>
    public static IReadOnlyList<LabNetnsRecord> Made(string prefix, LabState? state)
    {
        var all = new List<LabNetnsRecord>();
        foreach (var r in (state?.Made ?? []).Concat(ReadJournal(prefix)))
            if (LabPaths.BelongsTo(r.Name, prefix) && !all.Contains(r)) all.Add(r);
        return all;
    }

    /// <summary>True when the namespace NAME exists and is the one RECORDS say the lab made.</summary>
    public static bool IsOurs(string name, IReadOnlyList<LabNetnsRecord> records)
    {
        var ino = InodeOf(name);
        if (ino is null) return false;
        foreach (var r in records)
            if (r.Name == name && r.Inode == ino) return true;
        return false;
    }
}
