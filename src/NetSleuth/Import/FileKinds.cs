using System.Runtime.InteropServices;
using NetSleuth.Collect;

namespace NetSleuth.Import;

/// <summary>
/// What kind of file a path is (after symbolic links), found without blocking: a FIFO is opened
/// with O_NONBLOCK and asked with fstat. Inputs read only regular files: a FIFO, a device or a
/// socket would hang or never end.
/// </summary>
internal static class FileKinds
{
    public const string Regular = "a regular file";

    private const int O_NONBLOCK = 0x800;
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFSOCK = 0xC000;

    /// <summary>"a regular file", "a FIFO (named pipe)", "a character device", …; null when it cannot be told.</summary>
    public static string? Of(string path)
    {
        int fd = Native.Open(path, Native.O_RDONLY | Native.O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) return null; // a socket cannot be opened (ENXIO): the caller's open reports it
        try
        {
            return Native.Mode(fd) is not { } mode ? null : (mode & S_IFMT) switch
            {
                S_IFREG => Regular,
                S_IFDIR => "a directory",
                S_IFIFO => "a FIFO (named pipe)",
                S_IFCHR => "a character device",
                S_IFBLK => "a block device",
                S_IFSOCK => "a socket",
                _ => "a special file",
            };
        }
        finally { Native.Close(fd); }
    }
}
