using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Problems of opportunities, with stable types (listed in docs/modules/sales.md).</summary>
internal static class OpportunityProblems
{
    public const string ClosedType = ProblemTypes.BaseUri + "opportunity-closed";
    public const string OpenType = ProblemTypes.BaseUri + "opportunity-open";

    public static ConflictException Closed(Opportunity opportunity) =>
        new(ClosedType, "Opportunity is closed", $"Opportunity {opportunity.Id} is {Name(opportunity.Status)}: a won or lost opportunity is read-only, reopen it first.");

    public static ConflictException Open(Opportunity opportunity) =>
        new(OpenType, "Opportunity is open", $"Opportunity {opportunity.Id} is open: nothing to reopen.");

    private static string Name(OpportunityStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}
