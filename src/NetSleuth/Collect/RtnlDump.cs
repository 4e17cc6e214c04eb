using System.Buffers.Binary;

namespace NetSleuth.Collect;

/// <summary>
/// A read-only rtnetlink socket in the calling thread's namespace (the one it was in when opened):
/// dumps (NLM_F_DUMP: "list every object of this type", one message per object — used where a whole
/// child process would only print a short list: IPv6 rules, bridge FDB) and single get requests.
/// </summary>
internal sealed unsafe class RtnlDump : IDisposable
{
    private const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private const ushort NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
    private readonly int _fd;
    private uint _seq;
    // rented, not allocated: a collection opens a few sockets per namespace, and 64 KiB of fresh zeroed
    // memory each time showed up as page faults and memset in profiles
    private readonly byte[] _buf = System.Buffers.ArrayPool<byte>.Shared.Rent(65536);

    private RtnlDump(int fd) => _fd = fd;

    public static RtnlDump? Open() => Open(Native.NETLINK_ROUTE);

    /// <summary>A socket of another netlink family (NETLINK_NETFILTER for the nftables probe); null when it cannot be made.</summary>
    public static RtnlDump? Open(int protocol)
    {
        int fd = Native.socket(Native.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC, protocol);
        return fd < 0 ? null : new RtnlDump(fd);
    }

    /// <summary>The payloads (family header + attributes) of every message the dump returns; null on error.</summary>
    /// <param name="type">RTM_GETRULE, RTM_GETNEIGH, …</param>
    /// <param name="headerLength">the family header's size (fib_rule_hdr 12, ndmsg 12), sent zeroed but for the family</param>
    public List<byte[]>? Dump(ushort type, byte family, int headerLength)
    {
        Span<byte> header = stackalloc byte[(headerLength + 3) & ~3];
        header.Clear();
        header[0] = family;
        return Dump(type, header);
    }

    /// <summary>A dump with a request body of the caller's making (a tcmsg naming a device and parent, an ndmsg
    /// with NTF_PROXY, …): the payloads of every message it returns; null on error.</summary>
    public List<byte[]>? Dump(ushort type, ReadOnlySpan<byte> body)
    {
        var result = new List<byte[]>();
        return Exchange(type, NLM_F_REQUEST | NLM_F_DUMP, body, (_, payload) => { result.Add(payload.ToArray()); return false; })
            ? result : null;
    }

    /// <summary>One request, one answer: the payload of the first reply of <paramref name="replyType"/>; null on error.</summary>
    public byte[]? Get(ushort type, ReadOnlySpan<byte> body, ushort replyType)
    {
        byte[]? answer = null;
        Exchange(type, NLM_F_REQUEST, body, (t, payload) =>
        {
            if (t != replyType) return false;
            answer = payload.ToArray();
            return true;
        });
        return answer;
    }

    private delegate bool OnReply(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>
    /// Sends one request (nlmsghdr + <paramref name="body"/>) and hands each reply with its sequence
    /// number to <paramref name="onReply"/> until it returns true or the dump ends (NLMSG_DONE).
    /// False on a send/receive error, an NLMSG_ERROR or a malformed message.
    /// </summary>
    private bool Exchange(ushort type, ushort flags, ReadOnlySpan<byte> body, OnReply onReply)
    {
        int len = 16 + body.Length;
        Span<byte> req = stackalloc byte[len];
        req.Clear();
        uint seq = ++_seq;
        BinaryPrimitives.WriteUInt32LittleEndian(req, (uint)len);
        BinaryPrimitives.WriteUInt16LittleEndian(req[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(req[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(req[8..], seq);
        body.CopyTo(req[16..]);
        fixed (byte* p = req)
            if (Native.send(_fd, p, len, 0) != len) return false;
        while (true)
        {
            nint n;
            fixed (byte* p = _buf) n = Native.recv(_fd, p, _buf.Length, 0);
            if (n <= 0) return false;
            var msg = _buf.AsSpan(0, (int)n);
            while (msg.Length >= 16)
            {
                int mlen = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg);
                ushort mtype = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
                uint mseq = BinaryPrimitives.ReadUInt32LittleEndian(msg[8..]);
                if (mlen < 16 || mlen > msg.Length) return false;
                if (mseq == seq)
                {
                    if (mtype == NLMSG_DONE) return true;
                    if (mtype == NLMSG_ERROR) return false;
                    if (onReply(mtype, msg[16..mlen])) return true;
                }
                msg = msg[Math.Min(msg.Length, (mlen + 3) & ~3)..];
            }
        }
    }

    /// <summary>The rtattributes after a family header: (type, value) pairs.</summary>
    public static Dictionary<int, byte[]> Attributes(byte[] payload, int headerLength)
    {
        var attrs = new Dictionary<int, byte[]>();
        var a = payload.AsSpan(Math.Min(payload.Length, (headerLength + 3) & ~3));
        while (a.Length >= 4)
        {
            int alen = BinaryPrimitives.ReadUInt16LittleEndian(a);
            int atype = BinaryPrimitives.ReadUInt16LittleEndian(a[2..]) & 0x3FFF;
            if (alen < 4 || alen > a.Length) break;
            attrs[atype] = a[4..alen].ToArray();
            a = a[Math.Min(a.Length, (alen + 3) & ~3)..];
        }
        return attrs;
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Native.Close(_fd);
        System.Buffers.ArrayPool<byte>.Shared.Return(_buf);
    }
}
