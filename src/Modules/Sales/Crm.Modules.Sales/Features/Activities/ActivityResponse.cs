using System.Linq.Expressions;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Paging;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>A sales activity (活动).</summary>
/// <param name="Id">Activity id.</param>
/// <param name="Kind">call, meeting, visit, task or email.</param>
/// <param name="Subject">Subject.</param>
/// <param name="Description">Details.</param>
/// <param name="StartAt">Start (calls, meetings, visits, emails) or due time (tasks).</param>
/// <param name="EndAt">End; null for tasks.</param>
/// <param name="DueAt">Due time of a task; null for the other kinds.</param>
/// <param name="OwnerId">The assignee.</param>
/// <param name="AttendeeIds">Other users taking part.</param>
/// <param name="CustomerId">Related customer.</param>
/// <param name="ContactId">Related contact.</param>
/// <param name="LeadId">Related lead (not checked: leads are another slice).</param>
/// <param name="OpportunityId">Related opportunity.</param>
/// <param name="Channel">How the contact is reached: phone, email, sms, wechat, visit or mail.</param>
/// <param name="Status">planned, completed or cancelled.</param>
/// <param name="Outcome">What came of it (or why it was cancelled).</param>
/// <param name="Urgent">Urgent flag.</param>
/// <param name="Important">Important flag.</param>
/// <param name="Quadrant">urgentImportant, important, urgent or neither.</param>
/// <param name="ReminderMinutesBefore">Minutes before the start to remind the owner.</param>
/// <param name="ConsentOverrideReason">Why a consent or contact-window refusal was overridden.</param>
/// <param name="CompletedAt">When it was completed.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record ActivityResponse(
    Guid Id,
    ActivityKind Kind,
    string Subject,
    string? Description,
    DateTimeOffset StartAt,
    DateTimeOffset? EndAt,
    DateTimeOffset? DueAt,
    Guid? OwnerId,
    IReadOnlyList<Guid> AttendeeIds,
    Guid? CustomerId,
    Guid? ContactId,
    Guid? LeadId,
    Guid? OpportunityId,
    string? Channel,
    ActivityStatus Status,
    string? Outcome,
    bool Urgent,
    bool Important,
    ActivityQuadrant Quadrant,
    int? ReminderMinutesBefore,
    string? ConsentOverrideReason,
    DateTimeOffset? CompletedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed record VersionedActivity(ActivityResponse Activity, uint Version);

internal static class ActivityProjection
{
    public static readonly Expression<Func<Activity, ActivityResponse>> ToResponse = a => new ActivityResponse(
        a.Id, a.Kind, a.Subject, a.Description, a.StartAt, a.EndAt, a.Kind == ActivityKind.Task ? a.StartAt : null, a.OwnerId, a.AttendeeIds,
        a.CustomerId, a.ContactId, a.LeadId, a.OpportunityId, a.Channel, a.Status, a.Outcome, a.Urgent, a.Important, a.Quadrant,
        a.ReminderMinutesBefore, a.ConsentOverrideReason, a.CompletedAt, a.CreatedAt, a.UpdatedAt);

    /// <summary>Schedule order by default: the next thing to do first.</summary>
    public static readonly SortDefinition<Activity, ActivityResponse> Sort = new SortDefinition<Activity, ActivityResponse>(a => a.Id, a => a.Id, "startAt")
        .Add("startAt", a => a.StartAt, a => a.StartAt)
        .Add("createdAt", a => a.CreatedAt, a => a.CreatedAt);

    private static readonly Func<Activity, ActivityResponse> Compiled = ToResponse.Compile();

    public static VersionedActivity Versioned(Activity activity) => new(Compiled(activity), activity.Version);
}

internal static class ActivityAccess
{
    /// <summary>Owner, attendee, or anyone whose access scope covers the owner (managers up the team tree, admins).</summary>
    public static IQueryable<Activity> Visible(this IQueryable<Activity> activities, AccessScope scope)
    {
        if (scope.SeesAll)
        {
            return activities;
        }

        var owners = scope.VisibleOwners.ToList();
        var me = scope.UserId ?? Guid.Empty;
        return activities.Where(a => owners.Contains(a.OwnerId) || a.AttendeeIds.Contains(me));
    }

    /// <summary>Activities overlapping [from, to); a task is the instant of its due time. The lower bound on start_at keeps it a range scan.</summary>
    public static IQueryable<Activity> Overlapping(this IQueryable<Activity> activities, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start)
        {
            var earliest = start - Activity.MaxDuration;
            activities = activities.Where(a => a.StartAt >= earliest && (a.EndAt == null ? a.StartAt >= start : a.EndAt > start));
        }

        return to is { } end ? activities.Where(a => a.StartAt < end) : activities;
    }
}
