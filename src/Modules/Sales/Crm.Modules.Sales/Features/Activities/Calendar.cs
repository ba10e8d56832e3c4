using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>A user's or a team's schedule.</summary>
/// <param name="UserId">Whose schedule, for a user's calendar.</param>
/// <param name="TeamId">Which team, for a team's calendar (the team and its sub-teams).</param>
/// <param name="MemberIds">
/// Whose activities a team calendar holds: the members of the team and its sub-teams the caller may see (a manager all
/// of them, anyone else only themselves). Just the user for a user's calendar.
/// </param>
/// <param name="From">Start of the range (inclusive).</param>
/// <param name="To">End of the range (exclusive).</param>
/// <param name="Items">Planned and completed activities the members own or attend that overlap the range, by start time.</param>
internal sealed record CalendarResponse(
    Guid? UserId, Guid? TeamId, IReadOnlyList<Guid> MemberIds, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ActivityResponse> Items);

internal sealed record GetCalendarRequest(Guid? UserId, Guid? TeamId, DateTimeOffset? From, DateTimeOffset? To) : IRequest<CalendarResponse>;

internal sealed class GetCalendarHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ITeamDirectory teams, ICurrentActor actor)
    : IRequestHandler<GetCalendarRequest, CalendarResponse>
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(62);

    /// <summary>A range of 62 days holds far fewer; the cap only protects the server from a runaway calendar.</summary>
    public const int MaxItems = 2000;

    public async Task<CalendarResponse> Handle(GetCalendarRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<(string, string)>();
        if (request.From is null)
        {
            errors.Add(("from", "from is required."));
        }

        if (request.To is null)
        {
            errors.Add(("to", "to is required."));
        }
        else if (request.From is { } f && (request.To <= f || request.To - f > MaxRange))
        {
            errors.Add(("to", "to must be after from, at most 62 days later."));
        }

        var userId = request.TeamId is null ? request.UserId ?? actor.Id : null;
        if (request.TeamId is not null && request.UserId is not null)
        {
            errors.Add(("teamId", "Give userId or teamId, not both."));
        }
        else if (request.TeamId is null && userId is null)
        {
            errors.Add(("userId", "userId or teamId is required for API keys."));
        }

        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }

        var scope = await access.GetAsync(cancellationToken);
        var members = request.TeamId is { } teamId
            ? await TeamMembersAsync(scope, teamId, cancellationToken)
            : [await VisibleUserAsync(scope, userId!.Value, cancellationToken)];
        var items = members.Count == 0
            ? []
            : await Query(db.Activities.AsNoTracking(), members, request.From!.Value, request.To!.Value).ToListAsync(cancellationToken);
        return new CalendarResponse(userId, request.TeamId, members, request.From!.Value, request.To!.Value, items);
    }

    /// <summary>
    /// The calendar's one statement: <c>owner_id = ANY(@members) OR attendee_ids &amp;&amp; @members</c> over the range, read
    /// through the (owner_id, start_at) index and the attendee GIN index (CalendarTests pins the plan).
    /// </summary>
    internal static IQueryable<ActivityResponse> Query(IQueryable<Activity> activities, List<Guid> members, DateTimeOffset from, DateTimeOffset to)
    {
        var owners = members.Select(m => (Guid?)m).ToList();
        return activities
            .Where(a => owners.Contains(a.OwnerId) || a.AttendeeIds.Any(id => members.Contains(id)))
            .Where(a => a.Status != ActivityStatus.Cancelled)
            .Overlapping(from, to)
            .OrderBy(a => a.StartAt).ThenBy(a => a.Id)
            .Take(MaxItems)
            .Select(ActivityProjection.ToResponse);
    }

    private async Task<Guid> VisibleUserAsync(AccessScope scope, Guid user, CancellationToken ct)
    {
        if (!scope.CanSee(user) || await users.FindByIdAsync(user, ct) is null)
        {
            throw new NotFoundException("User", user);
        }

        return user;
    }

    /// <summary>
    /// The members of the team's subtree the caller may see. A team outside what the caller may report on answers 404,
    /// as the team filters of the sales reports do (<see cref="AccessScope.VisibleTeams"/>).
    /// </summary>
    private async Task<List<Guid>> TeamMembersAsync(AccessScope scope, Guid teamId, CancellationToken ct)
    {
        if (!scope.CanSeeTeam(teamId) || await teams.GetSubtreeAsync(teamId, ct) is not { } subtree)
        {
            throw new NotFoundException("Team", teamId);
        }

        return subtree.Members.Select(m => m.UserId).Where(id => scope.CanSee(id)).Distinct().Order().ToList();
    }
}
