using System.Text.Json;

namespace Crm.Modules.Customers.Domain;

/// <summary>The fields whose every change is kept in <see cref="CustomerHistoryEntry"/>.</summary>
internal enum CustomerHistoryField
{
    Status,
    LifecycleStage,
    IsKeyAccount,
    IsPotentialKeyAccount,
    CreditLimit,
    CreditRating,
}

/// <summary>
/// One change of one action-owned field of a customer (status, lifecycle stage, key-account flags, credit), kept for
/// good: the values before and after as text in their API spelling, why, who and when. Written in the transaction
/// of the change; never updated.
/// </summary>
internal sealed class CustomerHistoryEntry
{
    public const int MaxReasonLength = 500;

    private CustomerHistoryEntry()
    {
    }

    /// <summary>uuid v7, so entries written in one transaction order by id after their time.</summary>
    public Guid Id { get; private set; }

    public Guid CustomerId { get; private set; }

    public CustomerHistoryField Field { get; private set; }

    /// <summary>The value before (null: it had none).</summary>
    public string? FromValue { get; private set; }

    /// <summary>The value after (null: cleared).</summary>
    public string? ToValue { get; private set; }

    /// <summary>Why; null for a stage changed by PATCH, which carries no reason.</summary>
    public string? Reason { get; private set; }

    /// <summary>The user or API key that made the change.</summary>
    public Guid? ActorId { get; private set; }

    public DateTimeOffset At { get; private set; }

    public static CustomerHistoryEntry Create(Guid customerId, CustomerHistoryField field, string? from, string? to, string? reason, Guid? actorId, DateTimeOffset at) =>
        new()
        {
            Id = Guid.CreateVersion7(at), CustomerId = customerId, Field = field, FromValue = from, ToValue = to,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), ActorId = actorId, At = at,
        };
}

/// <summary>
/// One entry of a customer's 360° timeline: a read model fed by integration events (see ADR 0012). Written only by
/// the timeline consumer with INSERT ... ON CONFLICT DO NOTHING on (source event, customer), so redelivery adds nothing.
/// </summary>
internal sealed class TimelineEntry
{
    public const int MaxKindLength = 50;
    public const int MaxSummaryLength = 500;

    private TimelineEntry()
    {
    }

    public Guid Id { get; private set; }

    public Guid CustomerId { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public string Kind { get; private set; } = string.Empty;

    /// <summary>The module that published the event (<c>customers</c>, <c>sales</c>, ...).</summary>
    public string SourceModule { get; private set; } = string.Empty;

    public string Summary { get; private set; } = string.Empty;

    /// <summary>The event's details as JSON (jsonb).</summary>
    public JsonElement Data { get; private set; }

    public Guid SourceEventId { get; private set; }

    /// <summary>The CLR name of the event type, for support and replays.</summary>
    public string SourceEventType { get; private set; } = string.Empty;

    public DateTimeOffset RecordedAt { get; private set; }
}
