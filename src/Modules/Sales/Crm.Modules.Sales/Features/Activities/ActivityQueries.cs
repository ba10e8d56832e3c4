using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Activities;

internal sealed record GetActivityRequest(Guid Id) : IRequest<VersionedActivity>;

internal sealed class GetActivityHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetActivityRequest, VersionedActivity>
{
    public async Task<VersionedActivity> Handle(GetActivityRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var activity = await db.Activities.AsNoTracking().Visible(scope).SingleOrDefaultAsync(a => a.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Activity", request.Id);
        return ActivityProjection.Versioned(activity);
    }
}

/// <summary>Filters of the activity list; all optional, all combined with AND.</summary>
internal sealed record ActivityFilter(
    Guid? OwnerId,
    Guid? AttendeeId,
    ActivityKind? Kind,
    ActivityStatus? Status,
    ActivityQuadrant? Quadrant,
    Guid? CustomerId,
    Guid? OpportunityId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    bool? Overdue);

internal sealed record ListActivitiesRequest(PageRequest Page, string? Sort, ActivityFilter Filter) : IRequest<Page<ActivityResponse>>;

internal sealed class ListActivitiesHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ListActivitiesRequest, Page<ActivityResponse>>
{
    public async Task<Page<ActivityResponse>> Handle(ListActivitiesRequest request, CancellationToken cancellationToken)
    {
        var order = ActivityProjection.Sort.Parse(request.Sort);
        var f = request.Filter;
        if (f.From is { } from && f.To is { } to && to <= from)
        {
            throw ValidationFailedException.For("to", "to must be after from.");
        }

        var scope = await access.GetAsync(cancellationToken);
        var activities = db.Activities.AsNoTracking().Visible(scope);
        if (f.OwnerId is { } owner)
        {
            activities = activities.Where(a => a.OwnerId == owner);
        }

        if (f.AttendeeId is { } attendee)
        {
            activities = activities.Where(a => a.AttendeeIds.Contains(attendee));
        }

        if (f.Kind is { } kind)
        {
            activities = activities.Where(a => a.Kind == kind);
        }

        if (f.Status is { } status)
        {
            activities = activities.Where(a => a.Status == status);
        }

        if (f.Quadrant is { } quadrant)
        {
            activities = activities.Where(a => a.Quadrant == quadrant);
        }

        if (f.CustomerId is { } customer)
        {
            activities = activities.Where(a => a.CustomerId == customer);
        }

        if (f.OpportunityId is { } opportunity)
        {
            activities = activities.Where(a => a.OpportunityId == opportunity);
        }

        activities = activities.Overlapping(f.From, f.To);

        if (f.Overdue is { } overdue)
        {
            // Overdue: still planned and its due time (tasks) or end (the others) has passed.
            var now = time.UtcNow();
            activities = overdue
                ? activities.Where(a => a.Status == ActivityStatus.Planned && (a.EndAt ?? a.StartAt) < now)
                : activities.Where(a => a.Status != ActivityStatus.Planned || (a.EndAt ?? a.StartAt) >= now);
        }

        return await activities.ToPageAsync(ActivityProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>A reminder that is due for the caller.</summary>
/// <param name="ActivityId">The activity.</param>
/// <param name="RemindAt">startAt minus reminderMinutesBefore.</param>
/// <param name="Activity">The activity.</param>
internal sealed record ActivityReminderResponse(Guid ActivityId, DateTimeOffset RemindAt, ActivityResponse Activity);

/// <summary>The caller's planned activities whose reminder time is at or before <paramref name="Until"/> and that have not started yet.</summary>
internal sealed record ListActivityRemindersRequest(DateTimeOffset Until) : IRequest<IReadOnlyList<ActivityReminderResponse>>;

internal sealed class ListActivityRemindersHandler(SalesDbContext db, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ListActivityRemindersRequest, IReadOnlyList<ActivityReminderResponse>>
{
    public const int MaxReminders = 500;

    public async Task<IReadOnlyList<ActivityReminderResponse>> Handle(ListActivityRemindersRequest request, CancellationToken cancellationToken)
    {
        var me = actor.Id ?? throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Reminders are for users.");
        var now = time.UtcNow();
        var until = request.Until;

        // Served by (owner_id, start_at): the reminder lead is at most four weeks, so start_at is bounded on both sides.
        var horizon = until.AddMinutes(40320);
        var rows = await db.Activities.AsNoTracking()
            .Where(a => a.OwnerId == me && a.Status == ActivityStatus.Planned && a.ReminderMinutesBefore != null)
            .Where(a => a.StartAt >= now && a.StartAt <= horizon)
            .Where(a => a.StartAt.AddMinutes(-(double)a.ReminderMinutesBefore!.Value) <= until)
            .OrderBy(a => a.StartAt).ThenBy(a => a.Id)
            .Take(MaxReminders)
            .Select(ActivityProjection.ToResponse)
            .ToListAsync(cancellationToken);
        return rows.Select(a => new ActivityReminderResponse(a.Id, a.StartAt.AddMinutes(-a.ReminderMinutesBefore!.Value), a)).ToList();
    }
}
