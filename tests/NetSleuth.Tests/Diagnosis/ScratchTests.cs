using NetSleuth.Render;
using NetSleuth.Tests.Support;

namespace NetSleuth.Tests.Diagnosis;

public sealed class ScratchTests
{
    [Fact]
    public void Scratch()
    {
        var sb = new System.Text.StringBuilder();
        var s1 = PeerPodsModel.Build(macMismatch: false, redirectBack: false);
        sb.Append(DiagnosisText.Render(Diag.Run(s1)));
        var s2 = PeerPodsModel.Build(macMismatch: false);
        s2.Hosts[0].Root!.Routes.RemoveAll(x => x.Destination.ToString() == "198.18.2.0/23");
        sb.Append(DiagnosisText.Render(Diag.Run(s2)));
        var s3 = PeerPodsModel.Build();
        s3.Hosts.RemoveAt(1);
        sb.Append(DiagnosisText.Render(Diag.Run(s3)));
        sb.Append(DiagnosisText.Render(Diag.Run(PeerPodsModel.Build())));
        File.WriteAllText("/tmp/ndg-scratch.txt", sb.ToString());
    }
}
