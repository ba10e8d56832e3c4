using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>call, meeting, visit, task or email.</summary>
internal enum ActivityKind
{
    Call,
    Meeting,
    Visit,
    Task,
    Email,
}

/// <summary>planned, completed or cancelled.</summary>
internal enum ActivityStatus
{
    Planned,
    Completed,
    Cancelled,
}

/// <summary>The four quadrants (紧急/重要) of the urgency / importance matrix.</summary>
internal enum ActivityQuadrant
{
    UrgentImportant,
    Important,
    Urgent,
    Neither,
}

/// <summary>
/// A sales activity (活动): a call, meeting, visit or email scheduled from <see cref="StartAt"/> to <see cref="EndAt"/>,
/// or a task due at <see cref="StartAt"/> (tasks have no end). One column carries both so the calendar and the
/// (owner_id, start_at) index serve every kind.
/// </summary>
[AuditEntityType("activity")]
internal sealed class Activity : IAuditable, IOwnedRecord
{
    public const int MaxSubjectLength = 200;
    public const int MaxTextLength = 4000;
    public const int MaxAttendees = 50;

    /// <summary>
    /// Longest activity. Bounding the length lets a range query look up (owner_id, start_at) from
    /// <c>from - MaxDuration</c> instead of scanning the owner's whole history.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(31);

    private Activity()
    {
    }

    public Guid Id { get; private set; }

    public ActivityKind Kind { get; private set; }

    public string Subject { get; private set; } = string.Empty;

    public string? Description { get; private set; }

    /// <summary>Start of a scheduled activity, or the due time of a task.</summary>
    public DateTimeOffset StartAt { get; private set; }

    /// <summary>End of a scheduled activity; null for tasks.</summary>
    public DateTimeOffset? EndAt { get; private set; }

    public Guid? OwnerId { get; private set; }

    public List<Guid> AttendeeIds { get; private set; } = [];

    public Guid? CustomerId { get; private set; }

    public Guid? ContactId { get; private set; }

    /// <summary>A lead of the Sales module; stored without a foreign key (leads are a separate slice).</summary>
    public Guid? LeadId { get; private set; }

    public Guid? OpportunityId { get; private set; }

    /// <summary>phone, email, sms, wechat, visit or mail: how the contact is reached (calls, visits, emails).</summary>
    public string? Channel { get; private set; }

    public ActivityStatus Status { get; private set; }

    public string? Outcome { get; private set; }

    public bool Urgent { get; private set; }

    public bool Important { get; private set; }

    /// <summary>Derived from <see cref="Urgent"/> and <see cref="Important"/>; stored so lists filter on it in SQL.</summary>
    public ActivityQuadrant Quadrant { get; private set; }

    /// <summary>Minutes before <see cref="StartAt"/> to remind the owner; null for no reminder.</summary>
    public int? ReminderMinutesBefore { get; private set; }

    /// <summary>Why a consent / contact-window refusal was overridden; null when the check passed.</summary>
    public string? ConsentOverrideReason { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static ActivityQuadrant QuadrantOf(bool urgent, bool important) => (urgent, important) switch
    {
        (true, true) => ActivityQuadrant.UrgentImportant,
        (false, true) => ActivityQuadrant.Important,
        (true, false) => ActivityQuadrant.Urgent,
        _ => ActivityQuadrant.Neither,
    };

    /// <summary>Calls, visits and emails reach a contact, so they carry a channel and pass the consent check.</summary>
    public static bool ReachesContact(ActivityKind kind) => kind is ActivityKind.Call or ActivityKind.Visit or ActivityKind.Email;

    /// <summary>The channel a kind uses when none is given: calls by phone, visits in person, emails by email.</summary>
    public static string? DefaultChannel(ActivityKind kind) => kind switch
    {
        ActivityKind.Call => "phone",
        ActivityKind.Visit => "visit",
        ActivityKind.Email => "email",
        _ => null,
    };

    public static Activity Create(ActivityDetails details, Guid ownerId, DateTimeOffset now)
    {
        var activity = new Activity { Id = Guid.CreateVersion7(), Status = ActivityStatus.Planned, OwnerId = ownerId, CreatedAt = now };
        activity.Apply(details, now);
        return activity;
    }

    public void Apply(ActivityDetails details, DateTimeOffset now)
    {
        Kind = details.Kind;
        Subject = details.Subject.Trim();
        Description = details.Description;
        StartAt = details.StartAt.ToUniversalTime();
        EndAt = details.Kind == ActivityKind.Task ? null : details.EndAt?.ToUniversalTime();
        AttendeeIds = details.AttendeeIds.Distinct().Where(a => a != OwnerId).ToList();
        CustomerId = details.CustomerId;
        ContactId = details.ContactId;
        LeadId = details.LeadId;
        OpportunityId = details.OpportunityId;
        Channel = ReachesContact(details.Kind) ? details.Channel ?? DefaultChannel(details.Kind) : null;
        Urgent = details.Urgent;
        Important = details.Important;
        Quadrant = QuadrantOf(details.Urgent, details.Important);
        ReminderMinutesBefore = details.ReminderMinutesBefore;
        ConsentOverrideReason = details.ConsentOverrideReason;
        UpdatedAt = now;
    }

    /// <summary>Records the outcome; only a planned activity can be completed (the caller answers 409 otherwise).</summary>
    public bool Complete(string? outcome, DateTimeOffset now)
    {
        if (Status != ActivityStatus.Planned)
        {
            return false;
        }

        Status = ActivityStatus.Completed;
        Outcome = outcome;
        CompletedAt = now;
        UpdatedAt = now;
        return true;
    }

    public bool Cancel(string? reason, DateTimeOffset now)
    {
        if (Status != ActivityStatus.Planned)
        {
            return false;
        }

        Status = ActivityStatus.Cancelled;
        Outcome = reason;
        UpdatedAt = now;
        return true;
    }
}

/// <summary>The writable fields of an activity, validated by the caller.</summary>
internal sealed record ActivityDetails(
    ActivityKind Kind,
    string Subject,
    string? Description,
    DateTimeOffset StartAt,
    DateTimeOffset? EndAt,
    IReadOnlyCollection<Guid> AttendeeIds,
    Guid? CustomerId,
    Guid? ContactId,
    Guid? LeadId,
    Guid? OpportunityId,
    string? Channel,
    bool Urgent,
    bool Important,
    int? ReminderMinutesBefore,
    string? ConsentOverrideReason);
