using System.Buffers.Binary;

namespace NetSleuth.Collect;

/// <summary>
/// Asks the kernel which netnsid the calling thread's namespace uses for another namespace:
/// RTM_GETNSID with NETNSA_FD (rtnl_net_getid → peernet2id, which never assigns an id, so the
/// machine is not changed). The socket belongs to the namespace the thread was in when it was made.
/// </summary>
internal sealed unsafe class NetnsIdQuery : IDisposable
{
    private const ushort RTM_NEWNSID = 88, RTM_GETNSID = 90, NLMSG_ERROR = 2;
    private const ushort NLM_F_REQUEST = 1;
    private const ushort NETNSA_NSID = 1, NETNSA_FD = 3;
    private readonly int _fd;
    private uint _seq;
    private readonly byte[] _buf = new byte[4096];

    private NetnsIdQuery(int fd) => _fd = fd;

    /// <summary>Opens a rtnetlink socket in the calling thread's namespace; null when that fails.</summary>
    public static NetnsIdQuery? Open()
    {
        int fd = Native.socket(Native.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, Native.NETLINK_ROUTE);
        return fd < 0 ? null : new NetnsIdQuery(fd);
    }

    /// <summary>The id this namespace gives the namespace open at <paramref name="nsFd"/>; -1 when none is
    /// assigned; null on error.</summary>
    public int? IdOf(int nsFd)
    {
        Span<byte> req = stackalloc byte[28];
        req.Clear();
        uint seq = ++_seq;
        BinaryPrimitives.WriteUInt32LittleEndian(req, 28);
        BinaryPrimitives.WriteUInt16LittleEndian(req[4..], RTM_GETNSID);
        BinaryPrimitives.WriteUInt16LittleEndian(req[6..], NLM_F_REQUEST);
        BinaryPrimitives.WriteUInt32LittleEndian(req[8..], seq);
        // rtgenmsg (family AF_UNSPEC) + padding at 16..19, then the NETNSA_FD attribute
        BinaryPrimitives.WriteUInt16LittleEndian(req[20..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(req[22..], NETNSA_FD);
        BinaryPrimitives.WriteUInt32LittleEndian(req[24..], (uint)nsFd);
        fixed (byte* p = req)
            if (Native.send(_fd, p, req.Length, 0) != req.Length) return null;
        while (true)
        {
            nint n;
            fixed (byte* p = _buf) n = Native.recv(_fd, p, _buf.Length, 0);
            if (n <= 0) return null;
            var msg = _buf.AsSpan(0, (int)n);
            while (msg.Length >= 16)
            {
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
                uint mseq = BinaryPrimitives.ReadUInt32LittleEndian(msg[8..]);
                if (len < 16 || len > msg.Length) return null;
                if (mseq == seq)
                {
                    if (type == NLMSG_ERROR) return null;
                    if (type == RTM_NEWNSID) return ReadNsid(msg[20..len]);
                }
                msg = msg[Math.Min(msg.Length, (len + 3) & ~3)..];
            }
        }
    }

    private static int? ReadNsid(ReadOnlySpan<byte> attrs)
    {
        while (attrs.Length >= 4)
        {
            int alen = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
            int atype = BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]) & 0x3FFF;
            if (alen < 4 || alen > attrs.Length) return null;
            if (atype == NETNSA_NSID && alen >= 8) return BinaryPrimitives.ReadInt32LittleEndian(attrs[4..]);
            attrs = attrs[Math.Min(attrs.Length, (alen + 3) & ~3)..];
        }
        return null;
    }

    public void Dispose() => Native.Close(_fd);
}
