using System.Runtime.InteropServices;

namespace NetSleuth.Collect;

/// <summary>The few libc calls the collector needs (source-generated, NativeAOT-safe).</summary>
internal static partial class Native
{
    public const int CLONE_NEWNET = 0x40000000;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_NETFILTER = 12;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint send(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    private const int ENOENT = 2;

    /// <summary>
    /// A small /proc or /sys file's text (under 1 KiB) with open/read/close and nothing else (File.ReadAllText adds an
    /// advisory lock, fstat and a stat per file, which adds up over thousands of sysctl files). Null when the
    /// file does not exist; an IOException for any other error.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static unsafe string? ReadSmallFile(string path)
    {
        int fd = Open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() == ENOENT) return null;
            throw new IOException($"{path}: {LastError()}");
        }
        try
        {
            Span<byte> buf = stackalloc byte[1024];
            int total = 0;
            while (total < buf.Length)
            {
                nint n;
                fixed (byte* p = buf[total..]) n = Read(fd, p, buf.Length - total);
                if (n < 0) throw new IOException($"{path}: {LastError()}");
                total += (int)n;
                // a /proc or /sys file hands its whole (small) text to the first read: a short read is the end
                if (n == 0 || total < buf.Length) break;
            }
            return System.Text.Encoding.UTF8.GetString(buf[..total]);
        }
        finally { Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* statBuf);

    /// <summary>st_ino of an open fd (offset 8 in struct stat on x86_64 and arm64); null on error.</summary>
    public static unsafe long? Inode(int fd)
    {
        byte* buf = stackalloc byte[256];
        if (FStat(fd, buf) != 0) return null;
        return *(long*)(buf + 8);
    }

    /// <summary>st_mode of an open fd (offset 24 in struct stat on x86_64, 16 on arm64); null on error.</summary>
    public static unsafe int? Mode(int fd)
    {
        byte* buf = stackalloc byte[256];
        if (FStat(fd, buf) != 0) return null;
        return RuntimeInformation.ProcessArchitecture == Architecture.X64 ? *(int*)(buf + 24) : *(int*)(buf + 16);
    }

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
