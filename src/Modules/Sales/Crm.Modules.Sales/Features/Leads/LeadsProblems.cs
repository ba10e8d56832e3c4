using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Problems of leads, with stable types (listed in docs/modules/sales.md).</summary>
internal static class LeadsProblems
{
    public const string LeadClosedType = ProblemTypes.BaseUri + "lead-closed";
    public const string InvalidLeadTransitionType = ProblemTypes.BaseUri + "invalid-lead-transition";
    public const string UnknownPartnerType = ProblemTypes.BaseUri + "unknown-partner";
    public const string UnknownOwnerType = ProblemTypes.BaseUri + "unknown-owner";

    public static ConflictException LeadClosed(Lead lead) =>
        new(LeadClosedType, "Lead closed", $"Lead '{lead.Id}' is {Name(lead.Status)}: a disqualified or converted lead can no longer be changed.");

    public static ConflictException InvalidTransition(Lead lead, string action) =>
        new(InvalidLeadTransitionType, "Invalid lead transition", $"Lead '{lead.Id}' is {Name(lead.Status)} and cannot be {action}.");

    public static BusinessRuleException UnknownPartner(Guid partnerId) =>
        new(UnknownPartnerType, "Unknown partner", $"Partner '{partnerId}' does not exist or is inactive.");

    public static BusinessRuleException UnknownOwner(Guid ownerId) =>
        new(UnknownOwnerType, "Unknown owner", $"User '{ownerId}' does not exist or is deactivated, so cannot own leads.");

    public static ProblemException CannotAssignOwner() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only managers (for their team and its sub-teams) and administrators may make someone else the owner of a lead.");

    public static string Name(LeadStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}
