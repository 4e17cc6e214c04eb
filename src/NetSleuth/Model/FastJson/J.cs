using System.Net;
using System.Runtime.InteropServices;
using NetSleuth.Model.Collections;
using System.Text.Json;

namespace NetSleuth.Model.FastJson;

/// <summary>Value readers of the fast snapshot reader. Each is called with the reader on the value's
/// first token and leaves it on the value's last token; anything unexpected throws <see cref="FastReaderBail"/>.</summary>
internal static class J
{
    public const int MaxName = 48;

    public static FastReaderBail Bail() => new();

    public static bool IsNull(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null;

    public static void StartObject(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Bail();
    }

    /// <summary>Moves to the next property's value, copying its (ASCII, unescaped) name into <paramref name="buf"/>; false at the object's end.</summary>
    public static bool NextProperty(ref Utf8JsonReader r, scoped Span<char> buf, out int length)
    {
        length = 0;
        if (!r.Read()) throw Bail();
        if (r.TokenType == JsonTokenType.EndObject) return false;
        if (r.TokenType != JsonTokenType.PropertyName || r.ValueIsEscaped || r.HasValueSequence) throw Bail();
        var name = r.ValueSpan;
        if (name.Length > buf.Length) throw Bail();
        for (int i = 0; i < name.Length; i++) buf[i] = (char)name[i];
        length = name.Length;
        if (!r.Read()) throw Bail();
        return true;
    }

    public static string? StrN(ref Utf8JsonReader r, Ctx c)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) throw Bail();
        if (r.ValueIsEscaped || r.HasValueSequence) return r.GetString();
        var v = r.ValueSpan;
        if (v.Length > Ctx.MaxPooled || !System.Text.Ascii.IsValid(v)) return r.GetString();
        return c.Strings.Get(v);
    }

    public static string Str(ref Utf8JsonReader r, Ctx c) => StrN(ref r, c) ?? throw Bail();

    public static int? IntN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Int(ref r);
    public static int Int(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v : throw Bail();
    public static long? LongN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Long(ref r);
    public static long Long(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v) ? v : throw Bail();
    public static uint? UIntN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : UInt(ref r);
    public static uint UInt(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetUInt32(out uint v) ? v : throw Bail();

    public static bool? BoolN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Bool(ref r);
    public static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Bail(),
    };

    public static MacAddress? MacN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : Mac(ref r);
    public static MacAddress Mac(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) throw Bail();
        if (MacAddress.TryParseCanonical(r.ValueSpan, out var m)) return m;
        return MacAddress.TryParse(r.GetString(), out m) ? m : throw Bail();
    }

    public static IPAddress? IpN(ref Utf8JsonReader r, Ctx c) => r.TokenType == JsonTokenType.Null ? null : Ip(ref r, c);
    public static IPAddress Ip(ref Utf8JsonReader r, Ctx c)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) throw Bail();
        var v = r.ValueSpan;
        if (v.Length > Ctx.MaxPooled || !System.Text.Ascii.IsValid(v)) return IPAddress.TryParse(v, out var a) ? a : throw Bail();
        // a file names the same few addresses many times (gateways, preferred sources): parsed once, one object
        ref IPAddress? slot = ref c.Strings.Address(v);
        if (slot is { } known) return known;
        if (!IPAddress.TryParse(v, out var parsed)) throw Bail();
        slot = parsed;
        return parsed;
    }

    public static IpPrefix? PrefixN(ref Utf8JsonReader r, Ctx c) => r.TokenType == JsonTokenType.Null ? null : Prefix(ref r, c);
    public static IpPrefix Prefix(ref Utf8JsonReader r, Ctx c)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) throw Bail();
        var v = r.ValueSpan;
        if (v.Length > Ctx.MaxPooled || !System.Text.Ascii.IsValid(v)) return ParsePrefix(ref r);
        // as for addresses: the same prefixes recur (127.0.0.0/8 in every namespace, the pod network in each)
        ref IpPrefix slot = ref c.Strings.Prefix(v, out bool exists);
        if (exists) return slot;
        var p = ParsePrefix(ref r);
        slot = p;
        return p;
    }

    private static IpPrefix ParsePrefix(ref Utf8JsonReader r)
    {
        if (IpPrefix.TryParseCanonical(r.ValueSpan, out var p)) return p;
        return IpPrefix.TryParse(r.GetString(), out p) ? p : throw Bail();
    }

    public static DateTimeOffset? DateN(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null : r.TokenType == JsonTokenType.String && r.TryGetDateTimeOffset(out var d) ? d : throw Bail();

    public static JsonElement? ElementN(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref r);

    public delegate T ItemReader<T>(ref Utf8JsonReader r, Ctx c);

    /// <summary>Reads an array into <paramref name="into"/> (the new object's empty list); null leaves it empty. The items
    /// are gathered first, so the list's array is made once at their number (no doubling, no spare room).</summary>
    public static void List<T>(ref Utf8JsonReader r, Ctx c, List<T> into, ItemReader<T> item)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartArray) throw Bail();
        var items = Scratch<T>.Take();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(item(ref r, c));
            AddAll(into, items);
        }
        finally { Scratch<T>.Return(items); }
    }

    /// <summary>A new list of the array's items (null for a JSON null: the model makes an empty one when it is used),
    /// made at their number. In a sharing load (<see cref="RecordPool"/>) an empty array gives the file's shared empty
    /// list, and when POOLED, an array whose text the file held before gives that array's list.</summary>
    public static List<T>? NewList<T>(ref Utf8JsonReader r, Ctx c, ItemReader<T> item, bool pooled)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Bail();
        var pool = c.Records;
        RecordPool.Key key = default;
        if (pooled && pool is not null && pool.TryGetAt<List<T>>(ref r, out key, out var known)) return known;
        var items = Scratch<T>.Take();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(item(ref r, c));
            if (items.Count == 0) return pool is null ? [] : pool.Empty<List<T>>();
            var list = new List<T>(items.Count);
            list.AddRange(CollectionsMarshal.AsSpan(items));
            if (pooled && pool is not null) pool.Add(key, list);
            return list;
        }
        finally { Scratch<T>.Return(items); }
    }

    /// <summary><see cref="NewList{T}"/> of strings.</summary>
    public static List<string>? NewStrList(ref Utf8JsonReader r, Ctx c, bool pooled) =>
        NewList(ref r, c, static (ref Utf8JsonReader x, Ctx y) => Str(ref x, y), pooled);

    /// <summary>A new set of the array's strings (null for a JSON null); in a sharing load, the set an earlier array of the
    /// file with the same text gave.</summary>
    public static StringSet? NewStrSet(ref Utf8JsonReader r, Ctx c) => r.TokenType == JsonTokenType.Null ? null
        : SnapshotFastReader.Pooled(ref r, c, static (ref Utf8JsonReader x, Ctx y) => { var set = new StringSet(); FillStrSet(ref x, y, set); return set; });

    /// <summary>A new map of the object's strings (null for a JSON null); in a sharing load, the map an earlier object of
    /// the file with the same text gave.</summary>
    public static StringMap? NewDict(ref Utf8JsonReader r, Ctx c) => r.TokenType == JsonTokenType.Null ? null
        : SnapshotFastReader.Pooled(ref r, c, static (ref Utf8JsonReader x, Ctx y) => { var map = new StringMap(); FillDict(ref x, y, map); return map; });

    public static void StrList(ref Utf8JsonReader r, Ctx c, List<string> into)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartArray) throw Bail();
        var items = Scratch<string>.Take();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(Str(ref r, c));
            AddAll(into, items);
        }
        finally { Scratch<string>.Return(items); }
    }

    public static void IntList(ref Utf8JsonReader r, List<int> into)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartArray) throw Bail();
        var items = Scratch<int>.Take();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(Int(ref r));
            AddAll(into, items);
        }
        finally { Scratch<int>.Return(items); }
    }

    private static void AddAll<T>(List<T> into, List<T> items)
    {
        if (items.Count == 0) return;
        if (into.Count == 0) into.Capacity = items.Count; // a property given twice appends, as before
        into.AddRange(CollectionsMarshal.AsSpan(items));
    }

    /// <summary>A thread's list for gathering the items of an array before its size is known (one per item type;
    /// a nested array of the same type takes a new one).</summary>
    private static class Scratch<T>
    {
        [ThreadStatic] private static List<T>? t_free;

        public static List<T> Take()
        {
            var l = t_free ?? new List<T>(16);
            t_free = null;
            return l;
        }

        public static void Return(List<T> l)
        {
            l.Clear();
            t_free = l;
        }
    }

    /// <summary>Reads an array of strings into <paramref name="into"/> (the new object's empty set), made at its size; the set
    /// to keep: INTO, or the set an earlier array of the file with the same text gave when the load shares records.</summary>
    public static StringSet StrSet(ref Utf8JsonReader r, Ctx c, StringSet into) =>
        Into(ref r, c, into, into.Count, JsonTokenType.StartArray, FillStrSet);

    private static void FillStrSet(ref Utf8JsonReader r, Ctx c, StringSet into)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartArray) throw Bail();
        var items = t_keys ?? new List<string>();
        t_keys = null;
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(Str(ref r, c));
            into.SetAll(CollectionsMarshal.AsSpan(items));
        }
        finally
        {
            items.Clear();
            t_keys = items;
        }
    }

    [ThreadStatic] private static List<string>? t_keys, t_values;

    /// <summary>Reads an object of strings into <paramref name="into"/> (the new object's empty map); null leaves it empty.
    /// The entries are gathered first, so the map is made at its size (a snapshot lists them in order).</summary>
    /// <returns>the map to keep: INTO, or the map an earlier object of the file with the same text gave when the load shares records</returns>
    public static StringMap Dict(ref Utf8JsonReader r, Ctx c, StringMap into) =>
        Into(ref r, c, into, into.Count, JsonTokenType.StartObject, FillDict);

    private delegate void Fill<T>(ref Utf8JsonReader r, Ctx c, T into);

    /// <summary>Fills INTO (the new object's empty collection, COUNT entries) from the value at the reader, or in a sharing
    /// load returns the collection an earlier value of the file with the same text gave.</summary>
    private static T Into<T>(ref Utf8JsonReader r, Ctx c, T into, int count, JsonTokenType start, Fill<T> fill) where T : class
    {
        if (c.Records is { } pool && r.TokenType == start)
        {
            if (count > 0) throw Bail(); // given twice: INTO may be a shared one (System.Text.Json appends)
            if (pool.TryGetAt<T>(ref r, out var key, out var known)) return known;
            fill(ref r, c, into);
            pool.Add(key, into);
            return into;
        }
        fill(ref r, c, into);
        return into;
    }

    private static void FillDict(ref Utf8JsonReader r, Ctx c, StringMap into)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartObject) throw Bail();
        var keys = t_keys ?? new List<string>();
        var values = t_values ?? new List<string>();
        t_keys = t_values = null; // in use (not shared with a nested read)
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndObject)
            {
                if (r.TokenType != JsonTokenType.PropertyName) throw Bail();
                keys.Add(Str(ref r, c));
                if (!r.Read()) throw Bail();
                values.Add(Str(ref r, c));
            }
            into.SetAll(CollectionsMarshal.AsSpan(keys), CollectionsMarshal.AsSpan(values));
        }
        finally
        {
            keys.Clear();
            values.Clear();
            t_keys = keys;
            t_values = values;
        }
    }

    public static StringMap? DictNew(ref Utf8JsonReader r, Ctx c)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        var d = new StringMap();
        FillDict(ref r, c, d); // a map of its own (ExtraInfo): not shared
        return d;
    }
}
