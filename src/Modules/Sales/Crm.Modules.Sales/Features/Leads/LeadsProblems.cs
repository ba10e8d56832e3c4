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
    public const string LeadAlreadyConvertedType = ProblemTypes.BaseUri + "lead-already-converted";
    public const string UnknownCustomerType = ProblemTypes.BaseUri + "unknown-customer";
    public const string CustomerNotOpenType = ProblemTypes.BaseUri + "customer-not-open";
    public const string LeadUnassignedType = ProblemTypes.BaseUri + "lead-unassigned";

    public static ConflictException LeadClosed(Lead lead) =>
        new(LeadClosedType, "Lead closed", $"Lead '{lead.Id}' is {Name(lead.Status)}: a disqualified or converted lead can no longer be changed.");

    public static ConflictException InvalidTransition(Lead lead, string action) =>
        new(InvalidLeadTransitionType, "Invalid lead transition", $"Lead '{lead.Id}' is {Name(lead.Status)} and cannot be {action}.");

    /// <summary>Converting twice would create a second customer and opportunity; the lineage names the first ones.</summary>
    public static ConflictException AlreadyConverted(Lead lead)
    {
        var problem = new ConflictException(LeadAlreadyConvertedType, "Lead already converted", $"Lead '{lead.Id}' was converted at {lead.ConvertedAt:O}.");
        problem.Extensions["convertedCustomerId"] = lead.ConvertedCustomerId;
        problem.Extensions["convertedContactId"] = lead.ConvertedContactId;
        problem.Extensions["convertedOpportunityId"] = lead.ConvertedOpportunityId;
        return problem;
    }

    public static BusinessRuleException UnknownCustomer(Guid customerId) =>
        new(UnknownCustomerType, "Unknown customer", $"No customer '{customerId}' that you can see.");

    public static BusinessRuleException CustomerNotOpen(string code, string status) =>
        new(CustomerNotOpenType, "Customer not open for business", $"Customer {code} is {status}: a lead cannot be converted into it.");

    public static ConflictException LeadUnassigned(Lead lead) =>
        new(LeadUnassignedType, "Lead unassigned", $"Lead '{lead.Id}' has no owner and the caller is not a user: assign it before converting it.");

    public static BusinessRuleException UnknownPartner(Guid partnerId) =>
        new(UnknownPartnerType, "Unknown partner", $"Partner '{partnerId}' does not exist or is inactive.");

    public static BusinessRuleException UnknownOwner(Guid ownerId) =>
        new(UnknownOwnerType, "Unknown owner", $"User '{ownerId}' does not exist or is deactivated, so cannot own leads.");

    public static ProblemException CannotAssignOwner() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only managers (for their team and its sub-teams) and administrators may make someone else the owner of a lead.");

    public static string Name(LeadStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}
