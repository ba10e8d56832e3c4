using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Identity.Features.Audit;

/// <summary>Query string of <c>GET /api/v1/audit</c>.</summary>
/// <param name="EntityType">Record type, e.g. customer, user, team.</param>
/// <param name="EntityId">One record's id (needs entityType).</param>
/// <param name="OwnerId">Entries of records that belonged to this user when they changed.</param>
/// <param name="ActorId">Changes made by this user or API key.</param>
/// <param name="From">Changes at or after this instant (ISO 8601).</param>
/// <param name="To">Changes before this instant.</param>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="IncludeTotal">Also count all matching entries.</param>
internal sealed record ListAuditQuery(
    string? EntityType, Guid? EntityId, Guid? OwnerId, Guid? ActorId, DateTimeOffset? From, DateTimeOffset? To,
    int? Limit, string? Cursor, bool? IncludeTotal);

internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", async Task<Ok<Page<AuditEntryItem>>> ([AsParameters] ListAuditQuery query, IAuditLog log, IAccessScopeProvider access, CancellationToken ct) =>
            {
                // Record visibility applies to the trail: a rep reads the history of their own records, a manager
                // that of their team's; admins (and analysts, who read everything) the whole trail.
                var scope = await access.GetAsync(ct);
                var filter = new AuditLogQuery(
                    query.EntityType, query.EntityId, query.OwnerId, query.ActorId, query.From, query.To,
                    scope.SeesAll ? null : scope.VisibleOwners.OfType<Guid>().ToList());
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await log.ListAsync(filter, page, ct));
            })
            .RequirePermission(Permissions.AuditRead)
            .WithTags("Audit")
            .WithName("ListAuditEntries")
            .WithSummary("Read the audit trail: who changed which fields of which record, when, in which request")
            .WithDescription("Newest first, keyset paginated. Callers see the entries of records they may see; entries of records without an owner (users, teams, API keys) only administrators, analysts and API keys with the audit:read scope.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
    }
}
