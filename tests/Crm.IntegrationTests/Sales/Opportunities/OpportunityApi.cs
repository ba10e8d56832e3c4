using Crm.Modules.Sales.Domain;

namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>The default pipeline's stage ids, as the first migration seeds them (kept across test resets).</summary>
internal static class OpportunityApi
{
    private static readonly string[] DefaultStageCodes = ["initialContact", "intentReached", "businessNegotiation", "contractSigned", "closedWon", "closedLost"];

    public static Guid StageId(string code)
    {
        var position = Array.IndexOf(DefaultStageCodes, code) + 1;
        Assert.That(position, Is.Positive, $"No default stage {code}.");
        return new Guid($"01930000-0000-7000-8000-0000000001{position:D2}");
    }

    public static Guid DefaultPipelineId => Pipeline.DefaultId;
}
