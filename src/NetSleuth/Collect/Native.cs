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

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* statBuf);

    /// <summary>st_ino of an open fd (offset 8 in struct stat on x86_64 and arm64); null on error.</summary>
    public static unsafe long? Inode(int fd)
    {
        byte* buf = stackalloc byte[256];
        if (FStat(fd, buf) != 0) return null;
        return *(long*)(buf + 8);
    }

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
