using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>Schedule an activity. Calls, visits and emails with a contact pass the consent / contact-window check.</summary>
/// <param name="Kind">call, meeting, visit, task or email (required).</param>
/// <param name="Subject">Subject (required, at most 200 characters).</param>
/// <param name="Description">Details (at most 4000 characters).</param>
/// <param name="StartAt">Start of a call, meeting, visit or email (required for those kinds).</param>
/// <param name="EndAt">End (required for those kinds, after startAt).</param>
/// <param name="DueAt">Due time of a task (required for tasks).</param>
/// <param name="OwnerId">Assignee; the caller by default. Must be a user whose records the caller may see.</param>
/// <param name="AttendeeIds">Other users taking part (active users, at most 50).</param>
/// <param name="CustomerId">Related customer (must exist and be visible).</param>
/// <param name="ContactId">Related contact: a live contact of customerId (400 otherwise, 422 when unknown), checked for consent and contact window.</param>
/// <param name="LeadId">Related lead (stored as given).</param>
/// <param name="OpportunityId">Related opportunity (must exist).</param>
/// <param name="Channel">phone, email, sms, wechat, visit or mail; calls default to phone, visits to visit, emails to email.</param>
/// <param name="Urgent">Urgent flag (紧急).</param>
/// <param name="Important">Important flag (重要).</param>
/// <param name="ReminderMinutesBefore">Remind the owner this many minutes before the start (0 to 40320).</param>
/// <param name="Override">Schedule despite an opt-out or a time outside the contact window, with a reason.</param>
internal sealed record CreateActivityRequest(
    ActivityKind? Kind,
    string? Subject,
    string? Description = null,
    DateTimeOffset? StartAt = null,
    DateTimeOffset? EndAt = null,
    DateTimeOffset? DueAt = null,
    Guid? OwnerId = null,
    IReadOnlyList<Guid>? AttendeeIds = null,
    Guid? CustomerId = null,
    Guid? ContactId = null,
    Guid? LeadId = null,
    Guid? OpportunityId = null,
    string? Channel = null,
    bool Urgent = false,
    bool Important = false,
    int? ReminderMinutesBefore = null,
    ActivityConsentOverride? Override = null) : IRequest<VersionedActivity>;

internal sealed class CreateActivityValidator : AbstractValidator<CreateActivityRequest>
{
    public CreateActivityValidator()
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required: call, meeting, visit, task or email.");
        RuleFor(r => r.Subject).NotEmpty().MaximumLength(Activity.MaxSubjectLength);
        RuleFor(r => r.DueAt).NotNull().When(r => r.Kind == ActivityKind.Task).WithMessage("dueAt is required for tasks.");
        RuleFor(r => r.StartAt).Null().When(r => r.Kind == ActivityKind.Task).WithMessage("Tasks have dueAt, not startAt.");
        RuleFor(r => r.StartAt).NotNull().When(r => r.Kind is not null and not ActivityKind.Task).WithMessage("startAt is required for calls, meetings, visits and emails.");
        RuleFor(r => r.DueAt).Null().When(r => r.Kind is not null and not ActivityKind.Task).WithMessage("Only tasks have dueAt.");
        RuleFor(r => r.AttendeeIds).Must(a => a is null || a.All(id => id != Guid.Empty)).WithMessage("attendeeIds holds user ids.");
    }
}

internal sealed class CreateActivityHandler(SalesDbContext db, ActivityWrites writes, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CreateActivityRequest, VersionedActivity>
{
    public async Task<VersionedActivity> Handle(CreateActivityRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var ownerId = request.OwnerId ?? actor.Id ?? throw ValidationFailedException.For("ownerId", "ownerId is required for API keys.");
        if (!scope.CanSee(ownerId))
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only assign activities to users in your scope.");
        }

        var details = new ActivityDetails(
            request.Kind!.Value, request.Subject!, request.Description, (request.Kind == ActivityKind.Task ? request.DueAt : request.StartAt)!.Value,
            request.EndAt, request.AttendeeIds ?? [], request.CustomerId, request.ContactId, request.LeadId, request.OpportunityId,
            request.Channel, request.Urgent, request.Important, request.ReminderMinutesBefore, request.Override?.Reason ?? (request.Override is null ? null : string.Empty));
        await writes.CheckAllAsync(details, ownerId, scope, cancellationToken);

        var activity = Activity.Create(details, ownerId, time.UtcNow());
        db.Activities.Add(activity);
        await db.SaveChangesAsync(cancellationToken);
        return ActivityProjection.Versioned(activity);
    }
}

/// <summary>Change an activity (JSON merge patch). A new time or contact runs the consent check again.</summary>
/// <param name="Subject">Subject.</param>
/// <param name="Description">Details; null clears.</param>
/// <param name="StartAt">Start of a call, meeting, visit or email.</param>
/// <param name="EndAt">End of a call, meeting, visit or email.</param>
/// <param name="DueAt">Due time of a task.</param>
/// <param name="AttendeeIds">Replaces the attendees.</param>
/// <param name="CustomerId">Related customer; null clears.</param>
/// <param name="ContactId">Related contact, a live contact of the customer; null clears.</param>
/// <param name="LeadId">Related lead; null clears.</param>
/// <param name="OpportunityId">Related opportunity; null clears.</param>
/// <param name="Channel">phone, email, sms, wechat, visit or mail.</param>
/// <param name="Urgent">Urgent flag.</param>
/// <param name="Important">Important flag.</param>
/// <param name="ReminderMinutesBefore">Minutes before the start; null clears.</param>
/// <param name="Override">Override of a consent refusal for the new schedule.</param>
internal sealed record UpdateActivityRequest(
    Optional<string> Subject,
    Optional<string?> Description,
    Optional<DateTimeOffset> StartAt,
    Optional<DateTimeOffset> EndAt,
    Optional<DateTimeOffset> DueAt,
    Optional<IReadOnlyList<Guid>> AttendeeIds,
    Optional<Guid?> CustomerId,
    Optional<Guid?> ContactId,
    Optional<Guid?> LeadId,
    Optional<Guid?> OpportunityId,
    Optional<string?> Channel,
    Optional<bool> Urgent,
    Optional<bool> Important,
    Optional<int?> ReminderMinutesBefore,
    ActivityConsentOverride? Override) : IRequest<VersionedActivity>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateActivityHandler(SalesDbContext db, ActivityWrites writes, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<UpdateActivityRequest, VersionedActivity>
{
    public async Task<VersionedActivity> Handle(UpdateActivityRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var activity = await db.Activities.Visible(scope).SingleOrDefaultAsync(a => a.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Activity", request.Id);
        request.IfMatch.EnsureMatches(activity.Version);
        if (activity.Status != ActivityStatus.Planned)
        {
            throw ActivityProblems.NotPlanned(activity.Id, JsonNamingPolicy.CamelCase.ConvertName(activity.Status.ToString()));
        }

        if (activity.Kind == ActivityKind.Task ? request.StartAt.HasValue || request.EndAt.HasValue : request.DueAt.HasValue)
        {
            throw ValidationFailedException.For(activity.Kind == ActivityKind.Task ? "startAt" : "dueAt", "Tasks have dueAt; the other kinds startAt and endAt.");
        }

        var start = activity.Kind == ActivityKind.Task ? request.DueAt.Or(activity.StartAt) : request.StartAt.Or(activity.StartAt);
        var details = new ActivityDetails(
            activity.Kind, request.Subject.Or(activity.Subject) ?? string.Empty, request.Description.Or(activity.Description), start,
            request.EndAt.HasValue ? request.EndAt.Value : activity.EndAt, request.AttendeeIds.Or(activity.AttendeeIds) ?? [],
            request.CustomerId.Or(activity.CustomerId), request.ContactId.Or(activity.ContactId), request.LeadId.Or(activity.LeadId),
            request.OpportunityId.Or(activity.OpportunityId), request.Channel.Or(activity.Channel), request.Urgent.Or(activity.Urgent),
            request.Important.Or(activity.Important), request.ReminderMinutesBefore.Or(activity.ReminderMinutesBefore),
            request.Override is null ? activity.ConsentOverrideReason : request.Override.Reason ?? string.Empty);

        // Only a change of when, who or how is a new scheduling decision; editing the subject keeps the old check.
        var rescheduled = start != activity.StartAt || details.ContactId != activity.ContactId || details.Channel != activity.Channel;
        ActivityWrites.ValidateShape(details);
        await writes.CheckReferencesAsync(details, activity.OwnerId!.Value, scope, activity, cancellationToken);
        if (rescheduled)
        {
            await writes.CheckConsentAsync(details, cancellationToken);
        }

        activity.Apply(details, time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ActivityProjection.Versioned(activity);
    }
}

/// <summary>Complete or cancel a planned activity.</summary>
/// <param name="Outcome">What came of it, or why it was cancelled (at most 4000 characters).</param>
internal sealed record ActivityActionRequest(string? Outcome);

internal sealed record CompleteActivityRequest(Guid Id, string? Outcome, IfMatch IfMatch) : IRequest<VersionedActivity>;

internal sealed record CancelActivityRequest(Guid Id, string? Reason, IfMatch IfMatch) : IRequest<VersionedActivity>;

internal sealed class CompleteActivityValidator : AbstractValidator<CompleteActivityRequest>
{
    public CompleteActivityValidator() => RuleFor(r => r.Outcome).MaximumLength(Activity.MaxTextLength).OverridePropertyName("outcome");
}

internal sealed class CancelActivityValidator : AbstractValidator<CancelActivityRequest>
{
    public CancelActivityValidator() => RuleFor(r => r.Reason).MaximumLength(Activity.MaxTextLength).OverridePropertyName("outcome");
}

internal sealed class ActivityActionHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<CompleteActivityRequest, VersionedActivity>, IRequestHandler<CancelActivityRequest, VersionedActivity>
{
    public Task<VersionedActivity> Handle(CompleteActivityRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request.Id, request.IfMatch, (activity, now) =>
        {
            if (!activity.Complete(request.Outcome, now))
            {
                return false;
            }

            db.AddIntegrationEvent(new ActivityCompleted(now)
            {
                ActivityId = activity.Id, Kind = JsonNamingPolicy.CamelCase.ConvertName(activity.Kind.ToString()), Subject = activity.Subject,
                Outcome = activity.Outcome, OwnerId = activity.OwnerId, CustomerId = activity.CustomerId, OpportunityId = activity.OpportunityId,
            });
            return true;
        }, cancellationToken);

    public Task<VersionedActivity> Handle(CancelActivityRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request.Id, request.IfMatch, (activity, now) => activity.Cancel(request.Reason, now), cancellationToken);

    private async Task<VersionedActivity> ChangeAsync(Guid id, IfMatch ifMatch, Func<Activity, DateTimeOffset, bool> change, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        var activity = await db.Activities.Visible(scope).SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("Activity", id);
        ifMatch.EnsureMatches(activity.Version);
        if (!change(activity, time.UtcNow()))
        {
            throw ActivityProblems.NotPlanned(activity.Id, JsonNamingPolicy.CamelCase.ConvertName(activity.Status.ToString()));
        }

        await db.SaveChangesAsync(ct);
        return ActivityProjection.Versioned(activity);
    }
}
