using NetSleuth.Util;

namespace NetSleuth.Tests.Cli;

/// <summary>
/// The ./netsleuth wrapper: says that it builds on first use, rebuilds only when a source changed
/// (not when `dotnet build` or the tests touch obj/*.json). Run on a copy of the script in a
/// scratch tree, with a stand-in `dotnet` on PATH that logs what it was asked to do.
/// </summary>
public sealed class WrapperScriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nsl-wrapper-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Given_the_wrapper_Then_it_announces_the_first_build_and_rebuilds_only_for_changed_sources()
    {
        var repo = FindRoot();
        File.Copy(Path.Combine(repo, "netsleuth"), Path.Combine(_root, "netsleuth"));
        var cs = Path.Combine(_root, "src", "NetSleuth", "Thing.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(cs)!);
        File.WriteAllText(cs, "class Thing {}");
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project/>");
        File.WriteAllText(Path.Combine(_root, "Directory.Packages.props"), "<Project/>");
        var bin = Path.Combine(_root, "fakebin");
        Directory.CreateDirectory(bin);
        // the stand-in dotnet: `build … -o DIR` makes DIR/NetSleuth.Cli.dll; anything else says "ran"
        File.WriteAllText(Path.Combine(bin, "dotnet"), """
            #!/bin/sh
            if [ "$1" = build ]; then
              echo build >> "$WRAPPER_LOG"
              while [ $# -gt 0 ]; do [ "$1" = -o ] && { mkdir -p "$2"; : > "$2/NetSleuth.Cli.dll"; }; shift; done
              exit 0
            fi
            echo ran
            """.Replace("\n            ", "\n"));
        Assert.True(Proc.Run("chmod", "+x", Path.Combine(bin, "dotnet"), Path.Combine(_root, "netsleuth")).Ok);
        var log = Path.Combine(_root, "calls.log");

        ProcResult Wrapper() => Proc.Run("env", $"PATH={bin}:/usr/bin:/bin", $"WRAPPER_LOG={log}", Path.Combine(_root, "netsleuth"), "--version");
        int Builds() => File.Exists(log) ? File.ReadAllLines(log).Length : 0;

        // first use: a build, said on stderr
        var first = Wrapper();
        Assert.True(first.Ok, first.Stderr);
        Assert.Equal("ran\n", first.Stdout);
        Assert.Contains("building netsleuth (first run, ~1 min)…", first.Stderr);
        Assert.Equal(1, Builds());

        // `dotnet build` / the tests write obj/*.json and bin/: no rebuild, nothing said
        Thread.Sleep(1100);
        var obj = Path.Combine(_root, "src", "NetSleuth", "obj");
        Directory.CreateDirectory(obj);
        File.WriteAllText(Path.Combine(obj, "project.assets.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_root, "src", "NetSleuth", "bin"));
        File.WriteAllText(Path.Combine(_root, "src", "NetSleuth", "bin", "x.deps.json"), "{}");
        var second = Wrapper();
        Assert.Equal(("ran\n", ""), (second.Stdout, second.Stderr));
        Assert.Equal(1, Builds());

        // a source changed: a rebuild, said on stderr
        File.WriteAllText(cs, "class Thing { int X; }");
        var third = Wrapper();
        Assert.Contains("rebuilding", third.Stderr);
        Assert.Equal(2, Builds());
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NetSleuth.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
