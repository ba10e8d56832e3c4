using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Problems of opportunities, with stable types (listed in docs/modules/sales.md).</summary>
internal static class OpportunityProblems
{
    public const string ClosedType = ProblemTypes.BaseUri + "opportunity-closed";
    public const string OpenType = ProblemTypes.BaseUri + "opportunity-open";
    public const string DuplicateExternalIdType = ProblemTypes.BaseUri + "duplicate-external-id";

    public static ConflictException Closed(Opportunity opportunity) =>
        new(ClosedType, "Opportunity is closed", $"Opportunity {opportunity.Id} is {Name(opportunity.Status)}: a won or lost opportunity is read-only, reopen it first.");

    public static ConflictException Open(Opportunity opportunity) =>
        new(OpenType, "Opportunity is open", $"Opportunity {opportunity.Id} is open: nothing to reopen.");

    public static BusinessRuleException UnknownOwner(Guid ownerId) =>
        new(Leads.LeadsProblems.UnknownOwnerType, "Unknown owner", $"User '{ownerId}' does not exist or is deactivated, so cannot own opportunities.");

    public static ProblemException CannotReassign() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Managers reassign opportunities between users of their team and its sub-teams; only administrators beyond it.");

    public static ConflictException DuplicateExternalId(string externalId) =>
        new(DuplicateExternalIdType, "Duplicate external id", $"Another opportunity has the externalId '{externalId}'.");

    /// <summary>409 when another opportunity holds <paramref name="externalId"/> (the unique index still guards a concurrent writer).</summary>
    public static async Task EnsureExternalIdFreeAsync(SalesDbContext db, string? externalId, Guid? self, CancellationToken ct)
    {
        if (externalId?.Trim() is { Length: > 0 } key && await db.Opportunities.AnyAsync(o => o.ExternalId == key && o.Id != self, ct))
        {
            throw DuplicateExternalId(key);
        }
    }

    /// <summary>Saves, turning the unique violation of a concurrent writer of the same external id into the same 409.</summary>
    public static async Task SaveAsync(SalesDbContext db, Opportunity opportunity, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && opportunity.ExternalId is { } key)
        {
            throw DuplicateExternalId(key);
        }
    }

    private static string Name(OpportunityStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}
