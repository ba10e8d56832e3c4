using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>
/// Hand many open opportunities to one owner at once (managers and administrators), for instance when a rep leaves:
/// either <c>ids</c> or the open deals of <c>fromOwnerId</c> (narrowed by <c>pipelineId</c> and <c>teamId</c>), never
/// both. Won and lost opportunities keep their owner: the performance report credits a win to its owner.
/// </summary>
/// <param name="ToOwnerId">The new owner (required): an active user in the caller's team subtree, anyone for administrators.</param>
/// <param name="Reason">Why (required, at most 500 characters): in every OpportunityOwnerChanged event and the audit summary.</param>
/// <param name="Ids">The opportunities (at most 1000).</param>
/// <param name="FromOwnerId">Every open opportunity of this owner (a user in the caller's team subtree, active or not).</param>
/// <param name="PipelineId">With fromOwnerId: only the opportunities of this pipeline.</param>
/// <param name="TeamId">With fromOwnerId: only the opportunities of this team.</param>
/// <param name="IncludeOpenActivities">
/// Also hand over the planned activities of the moved opportunities that their previous owner owns (default false);
/// other people's activities on them stay theirs.
/// </param>
internal sealed record ReassignOpportunitiesRequest(
    Guid? ToOwnerId,
    string? Reason,
    IReadOnlyList<Guid>? Ids = null,
    Guid? FromOwnerId = null,
    Guid? PipelineId = null,
    Guid? TeamId = null,
    bool IncludeOpenActivities = false) : IRequest<ReassignOpportunitiesResponse>;

/// <summary>What a bulk reassignment did. The skipped lists name requested ids (ids mode only).</summary>
/// <param name="Reassigned">How many opportunities changed owner.</param>
/// <param name="ActivitiesReassigned">How many planned activities followed them (includeOpenActivities).</param>
/// <param name="NotFound">Requested ids that do not exist or that the caller cannot see.</param>
/// <param name="Closed">Requested ids that are won or lost: they keep their owner.</param>
/// <param name="AlreadyOwned">Requested ids the new owner already owns.</param>
/// <param name="ClosedKept">
/// How many won or lost opportunities the selection named and left with their owner: the ids in <c>closed</c>, or with
/// fromOwnerId that owner's closed deals (narrowed by pipelineId and teamId the same way).
/// </param>
internal sealed record ReassignOpportunitiesResponse(
    int Reassigned, int ActivitiesReassigned, IReadOnlyList<Guid> NotFound, IReadOnlyList<Guid> Closed, IReadOnlyList<Guid> AlreadyOwned, int ClosedKept);

internal sealed class ReassignOpportunitiesValidator : AbstractValidator<ReassignOpportunitiesRequest>
{
    public const int MaxIds = 1000;
    public const int MaxReasonLength = 500;

    public ReassignOpportunitiesValidator()
    {
        RuleFor(r => r.ToOwnerId).NotNull();
        RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required to reassign opportunities.")
            .MaximumLength(MaxReasonLength).WithMessage($"reason is at most {MaxReasonLength} characters.");
        RuleFor(r => r.Ids).Must(ids => ids is null || ids.Count is > 0 and <= MaxIds).WithMessage($"ids takes 1 to {MaxIds} opportunity ids.");
        RuleFor(r => r).Must(r => (r.Ids is null) != (r.FromOwnerId is null)).WithMessage("Give either ids or fromOwnerId.").OverridePropertyName("ids");
        RuleFor(r => r.PipelineId).Null().When(r => r.FromOwnerId is null).WithMessage("pipelineId narrows fromOwnerId: give fromOwnerId.");
        RuleFor(r => r.TeamId).Null().When(r => r.FromOwnerId is null).WithMessage("teamId narrows fromOwnerId: give fromOwnerId.");
        RuleFor(r => r.FromOwnerId).NotEqual(r => r.ToOwnerId).When(r => r.FromOwnerId is not null).WithMessage("fromOwnerId and toOwnerId are the same user.");
    }
}

internal sealed class ReassignOpportunitiesHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, TimeProvider time)
    : IRequestHandler<ReassignOpportunitiesRequest, ReassignOpportunitiesResponse>
{
    public async Task<ReassignOpportunitiesResponse> Handle(ReassignOpportunitiesRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var to = request.ToOwnerId!.Value;
        if (!scope.CanSee(to) || request.FromOwnerId is { } from && !scope.CanSee(from))
        {
            throw OpportunityProblems.CannotReassign();
        }

        var owner = await users.FindByIdAsync(to, cancellationToken);
        if (owner is not { Active: true })
        {
            throw OpportunityProblems.UnknownOwner(to);
        }

        var team = owner.TeamId;
        var reason = request.Reason!.Trim();
        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        IReadOnlyList<Guid> notFound = [], closed = [], alreadyOwned = [];
        Guid[]? ids = null;
        if (request.Ids is { } requested)
        {
            var wanted = requested.Distinct().ToList();
            var found = await db.Opportunities.AsNoTracking().Where(scope.Filter<Opportunity>(o => o.OwnerId)).Where(o => wanted.Contains(o.Id))
                .Select(o => new { o.Id, o.Status, o.OwnerId }).ToListAsync(cancellationToken);
            notFound = wanted.Except(found.Select(f => f.Id)).ToList();
            closed = found.Where(f => f.Status != OpportunityStatus.Open).Select(f => f.Id).ToList();
            alreadyOwned = found.Where(f => f.Status == OpportunityStatus.Open && f.OwnerId == to).Select(f => f.Id).ToList();
            ids = found.Where(f => f.Status == OpportunityStatus.Open && f.OwnerId != to).Select(f => f.Id).ToArray();
        }

        var closedKept = closed.Count;
        if (request.FromOwnerId is { } leaving)
        {
            closedKept = await db.Opportunities.CountAsync(
                o => o.OwnerId == leaving && o.Status != OpportunityStatus.Open
                     && (request.PipelineId == null || o.PipelineId == request.PipelineId) && (request.TeamId == null || o.TeamId == request.TeamId),
                cancellationToken);
        }

        var selection = new ReassignSelection(to, team, now, scope.SeesAll, [.. scope.VisibleOwners.OfType<Guid>()], ids, request.FromOwnerId, request.PipelineId, request.TeamId);
        var moved = await db.Database.SqlQuery<ReassignedOpportunity>(selection.MoveSql()).ToListAsync(cancellationToken);

        if (moved.Count > 0)
        {
            await OutboxBulkWriter.CopyAsync(
                (NpgsqlConnection)db.Database.GetDbConnection(),
                SalesDbContext.SchemaName,
                moved.Select(m => m.Event(to, team, scope.UserId, reason, now)),
                cancellationToken);
        }

        db.AddAuditSummary<Opportunity>(AuditAction.Updated, moved.Count, new Dictionary<string, object?> { ["ownerId"] = to, ["teamId"] = team, ["reason"] = reason });
        await db.SaveChangesAsync(cancellationToken);
        var activities = request.IncludeOpenActivities ? await MoveOpenActivitiesAsync(moved, to, reason, now, cancellationToken) : 0;
        await transaction.CommitAsync(cancellationToken);
        return new ReassignOpportunitiesResponse(moved.Count, activities, notFound, closed, alreadyOwned, closedKept);
    }

    /// <summary>
    /// One UPDATE gives the planned activities the previous owner had on the moved opportunities to the new owner (the
    /// <c>(opportunity_id, start_at)</c> index finds them), and one audit summary records it. The new owner leaves the
    /// attendees, since an owner is never one of them.
    /// </summary>
    private async Task<int> MoveOpenActivitiesAsync(IReadOnlyList<ReassignedOpportunity> moved, Guid to, string reason, DateTimeOffset now, CancellationToken ct)
    {
        var handed = moved.Where(m => m.FromOwnerId is not null).ToList();
        var opportunityIds = handed.Select(m => m.Id).ToArray();
        var previousOwners = handed.Select(m => m.FromOwnerId!.Value).ToArray();
        var count = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE sales.activities a
            SET owner_id = {to}, attendee_ids = array_remove(a.attendee_ids, {to}), updated_at = {now}
            FROM unnest({opportunityIds}, {previousOwners}) AS m(opportunity_id, owner_id)
            WHERE a.opportunity_id = m.opportunity_id AND a.owner_id = m.owner_id AND a.status = 'Planned'
            """,
            ct);
        db.AddAuditSummary<Activity>(AuditAction.Updated, count, new Dictionary<string, object?> { ["ownerId"] = to, ["reason"] = reason });
        await db.SaveChangesAsync(ct);
        return count;
    }
}

/// <summary>
/// The open opportunities a reassignment moves (visible to the caller; <see cref="Ids"/> or those of
/// <see cref="FromOwnerId"/>, narrowed by pipeline and team) and the owner and team they move to.
/// </summary>
internal sealed record ReassignSelection(
    Guid To, Guid? Team, DateTimeOffset Now, bool SeesAll, Guid[] VisibleOwners, Guid[]? Ids, Guid? FromOwnerId, Guid? PipelineId, Guid? TeamId)
{
    /// <summary>
    /// One statement selects, locks and moves the rows, and returns each one's previous owner: the locking subquery reads
    /// the owner as it is when the row is locked, so a concurrent change between reading and moving is not lost.
    /// Visibility and "open" are checked again under the lock. Each call is planned with its values (no prepared plan),
    /// so the primary key serves ids and the owner index fromOwnerId (ReassignPlanTests).
    /// </summary>
    public FormattableString MoveSql() =>
        $"""
        UPDATE sales.opportunities o
        SET owner_id = {To}, team_id = {Team}::uuid, updated_at = {Now}
        FROM (
            SELECT id, owner_id FROM sales.opportunities
            WHERE status = 'Open' AND owner_id IS DISTINCT FROM {To}
              AND ({SeesAll} OR owner_id = ANY({VisibleOwners}))
              AND ({Ids}::uuid[] IS NULL OR id = ANY({Ids}::uuid[]))
              AND ({FromOwnerId}::uuid IS NULL OR owner_id = {FromOwnerId}::uuid)
              AND ({PipelineId}::uuid IS NULL OR pipeline_id = {PipelineId}::uuid)
              AND ({TeamId}::uuid IS NULL OR team_id = {TeamId}::uuid)
            ORDER BY id
            FOR UPDATE
        ) previous
        WHERE o.id = previous.id
        RETURNING o.id, o.customer_id, o.name, o.amount, o.currency, previous.owner_id AS from_owner_id
        """;
}

/// <summary>A row the reassignment UPDATE moved, with the owner it had.</summary>
internal sealed record ReassignedOpportunity(Guid Id, Guid CustomerId, string Name, decimal Amount, string Currency, Guid? FromOwnerId)
{
    public OpportunityOwnerChanged Event(Guid toOwnerId, Guid? toTeamId, Guid? changedBy, string reason, DateTimeOffset now) => new(now)
    {
        OpportunityId = Id,
        CustomerId = CustomerId,
        Name = Name,
        FromOwnerId = FromOwnerId,
        ToOwnerId = toOwnerId,
        ToTeamId = toTeamId,
        ChangedBy = changedBy,
        Reason = reason,
        Amount = Amount,
        Currency = Currency,
    };
}
