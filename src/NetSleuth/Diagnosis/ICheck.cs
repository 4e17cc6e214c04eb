namespace NetSleuth.Diagnosis;

/// <summary>One question asked of the linked topology (a row of the fault catalogue).</summary>
internal interface ICheck
{
    /// <summary>The finding id(s) this check reports, for the catalogue listing.</summary>
    string Id { get; }

    IEnumerable<Finding> Run(DiagnosisContext ctx);
}
