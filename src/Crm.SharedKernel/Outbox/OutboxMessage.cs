namespace Crm.SharedKernel.Outbox;

/// <summary>A row of a module's <c>outbox_messages</c> table: one integration event waiting to be (or already) dispatched.</summary>
public sealed class OutboxMessage
{
    private OutboxMessage()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>The event's CLR type name, resolved against registered consumers at dispatch time.</summary>
    public string Type { get; private set; } = string.Empty;

    /// <summary>The event serialized as JSON (stored as jsonb).</summary>
    public string Payload { get; private set; } = string.Empty;

    public DateTimeOffset OccurredAt { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset? ProcessedAt { get; private set; }

    /// <summary>Set when the event kept failing past the attempt limit; kept for inspection and replay.</summary>
    public DateTimeOffset? DeadLetteredAt { get; private set; }

    public string? LastError { get; private set; }

    internal static OutboxMessage Create(IIntegrationEvent integrationEvent, string payload) => new()
    {
        Id = integrationEvent.EventId,
        Type = integrationEvent.GetType().FullName!,
        Payload = payload,
        OccurredAt = integrationEvent.OccurredAt,
        NextAttemptAt = integrationEvent.OccurredAt,
    };

    internal void MarkFailed(DateTimeOffset now, string error, OutboxOptions options)
    {
        Attempts++;
        LastError = error.Length > 2000 ? error[..2000] : error;
        if (Attempts >= options.MaxAttempts)
        {
            DeadLetteredAt = now;
            return;
        }

        var backoff = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.FirstBackoff.Ticks * (1L << Math.Min(Attempts - 1, 20))));
        NextAttemptAt = now + backoff;
    }
}

/// <summary>Records that one consumer has handled one message, so a retry never delivers to it twice.</summary>
public sealed class OutboxDelivery
{
    public Guid MessageId { get; init; }

    public string Consumer { get; init; } = string.Empty;

    public DateTimeOffset DeliveredAt { get; init; }
}
