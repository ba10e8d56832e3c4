using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Give an open lead to an owner. A rep may take a lead themselves; managers assign within their team subtree, administrators to anyone.</summary>
/// <param name="OwnerId">The new owner (required, an active user).</param>
internal sealed record AssignLeadRequest(Guid? OwnerId) : IRequest<VersionedLead>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class AssignLeadValidator : AbstractValidator<AssignLeadRequest>
{
    public AssignLeadValidator() => RuleFor(r => r.OwnerId).NotNull();
}

internal sealed class AssignLeadHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, TimeProvider time)
    : IRequestHandler<AssignLeadRequest, VersionedLead>
{
    public async Task<VersionedLead> Handle(AssignLeadRequest request, CancellationToken cancellationToken)
    {
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(lead.Version);
        if (!lead.IsOpen)
        {
            throw LeadsProblems.LeadClosed(lead);
        }

        var owner = await LeadAccess.ResolveOwnerAsync(request.OwnerId!.Value, access, users, cancellationToken);
        var from = lead.OwnerId;
        var now = time.UtcNow();
        lead.AssignTo(owner.Id, owner.TeamId, now);
        if (from != owner.Id)
        {
            db.AddIntegrationEvent(LeadIntegrationEvents.Assigned(lead.Id, from, owner.Id, owner.TeamId, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        return LeadProjection.Versioned(lead);
    }
}

/// <summary>
/// Reassign many open leads at once (managers and administrators): either <c>ids</c> or a <c>filter</c> (the list's
/// filters), never both. Leads the caller cannot see count as not found; closed leads are left alone.
/// </summary>
/// <param name="ToOwnerId">The new owner (required; in the caller's team subtree unless an administrator).</param>
/// <param name="Ids">The leads (at most 1000).</param>
/// <param name="Filter">The list filters that select the leads.</param>
internal sealed record ReassignLeadsRequest(Guid? ToOwnerId, IReadOnlyList<Guid>? Ids = null, ReassignLeadsFilter? Filter = null) : IRequest<ReassignLeadsResponse>;

/// <summary>The filters of GET /api/v1/sales/leads, as a body.</summary>
/// <param name="Q">Search company, person, phones and emails.</param>
/// <param name="Status">new, contacted or qualified (closed leads are never reassigned).</param>
/// <param name="OwnerId">Only leads of this owner.</param>
/// <param name="Unassigned">Only unassigned leads (true) or assigned ones (false).</param>
/// <param name="Source">Source.</param>
/// <param name="Province">Province.</param>
/// <param name="Industry">Industry.</param>
/// <param name="PartnerId">Partner.</param>
/// <param name="CampaignId">Campaign.</param>
/// <param name="CreatedFrom">Created at or after.</param>
/// <param name="CreatedTo">Created before.</param>
/// <param name="TeamId">Only leads owned by the current members of this team and its sub-teams (a team the caller reports on, else 422 unknown-team).</param>
internal sealed record ReassignLeadsFilter(
    string? Q = null, LeadStatus? Status = null, Guid? OwnerId = null, bool? Unassigned = null, string? Source = null, string? Province = null,
    string? Industry = null, Guid? PartnerId = null, Guid? CampaignId = null, DateTimeOffset? CreatedFrom = null, DateTimeOffset? CreatedTo = null,
    Guid? TeamId = null)
{
    public LeadFilter ToFilter() => new(Q, Status, OwnerId, Unassigned, Source, Province, Industry, PartnerId, CampaignId, CreatedFrom, CreatedTo);
}

/// <summary>What a bulk reassign did.</summary>
/// <param name="Reassigned">How many leads changed owner.</param>
/// <param name="NotFound">Requested ids that do not exist, are invisible to the caller, or are closed.</param>
internal sealed record ReassignLeadsResponse(int Reassigned, IReadOnlyList<Guid> NotFound);

internal sealed class ReassignLeadsValidator : AbstractValidator<ReassignLeadsRequest>
{
    public const int MaxIds = 1000;

    public ReassignLeadsValidator()
    {
        RuleFor(r => r.ToOwnerId).NotNull();
        RuleFor(r => r.Ids).Must(ids => ids is null || ids.Count is > 0 and <= MaxIds).WithMessage($"ids takes 1 to {MaxIds} lead ids.");
        RuleFor(r => r).Must(r => (r.Ids is null) != (r.Filter is null)).WithMessage("Give either ids or filter.").OverridePropertyName("ids");
    }
}

internal sealed class ReassignLeadsHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ITeamDirectory teams, TimeProvider time)
    : IRequestHandler<ReassignLeadsRequest, ReassignLeadsResponse>
{
    public async Task<ReassignLeadsResponse> Handle(ReassignLeadsRequest request, CancellationToken cancellationToken)
    {
        var owner = await LeadAccess.ResolveOwnerAsync(request.ToOwnerId!.Value, access, users, cancellationToken);
        var scope = await access.GetAsync(cancellationToken);
        var to = owner.Id;
        var team = owner.TeamId;
        var now = time.UtcNow();
        var open = db.Leads.Where(scope.Filter<Lead>(l => l.OwnerId, includeUnowned: true))
            .Where(l => l.Status == LeadStatus.New || l.Status == LeadStatus.Contacted || l.Status == LeadStatus.Qualified);

        IReadOnlyList<Guid> notFound = [];
        IQueryable<Lead> selected;
        if (request.Ids is { } requested)
        {
            var wanted = requested.Distinct().ToList();
            selected = open.Where(l => wanted.Contains(l.Id));
            var found = await selected.Select(l => l.Id).ToListAsync(cancellationToken);
            notFound = wanted.Except(found).ToList();
        }
        else
        {
            selected = LeadQuery.Apply(open, request.Filter!.ToFilter());
            if (request.Filter.TeamId is { } teamId)
            {
                // A manager moves the leads of one team: a team beyond the caller answers like an unknown one.
                selected = await LeadQuery.OfTeamAsync(selected, teamId, scope, teams, cancellationToken) ?? throw AssignmentProblems.UnknownTeam(teamId);
            }
        }

        // One UPDATE for the whole set, one audit summary instead of a row per lead, and one COPY of the
        // LeadAssigned events. The previous owners are read first (the UPDATE cannot return old values on PostgreSQL 15).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moving = selected.Where(l => l.OwnerId == null || l.OwnerId != to);
        var previous = await moving.Select(l => new { l.Id, l.OwnerId }).ToDictionaryAsync(l => l.Id, l => l.OwnerId, cancellationToken);
        var ids = previous.Keys.ToList();
        var moved = await db.Leads
            .Where(l => ids.Contains(l.Id) && (l.OwnerId == null || l.OwnerId != to))
            .Where(l => l.Status == LeadStatus.New || l.Status == LeadStatus.Contacted || l.Status == LeadStatus.Qualified)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.OwnerId, to).SetProperty(l => l.TeamId, team).SetProperty(l => l.UpdatedAt, now), cancellationToken);
        if (moved > 0)
        {
            // The rows this statement moved: a lead closed or reassigned concurrently in between was skipped by it.
            var movedIds = await db.Leads.Where(l => ids.Contains(l.Id) && l.OwnerId == to && l.UpdatedAt == now).Select(l => l.Id).ToListAsync(cancellationToken);
            await OutboxBulkWriter.CopyAsync(
                (NpgsqlConnection)db.Database.GetDbConnection(),
                SalesDbContext.SchemaName,
                movedIds.Select(id => LeadIntegrationEvents.Assigned(id, previous[id], to, team, now)),
                cancellationToken);
        }

        db.AddAuditSummary<Lead>(AuditAction.Updated, moved, new Dictionary<string, object?> { ["ownerId"] = to, ["teamId"] = team });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ReassignLeadsResponse(moved, notFound);
    }
}
