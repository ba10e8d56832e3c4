using System.Text.Json;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Crm.SharedKernel.Outbox;

/// <summary>Dispatches one module's outbox. Several instances (in one process or many) may run at once.</summary>
public interface IOutboxDispatcher
{
    string Module { get; }

    /// <summary>Claims up to one batch of due messages, delivers them, and returns how many were claimed.</summary>
    Task<int> DispatchBatchAsync(CancellationToken ct);
}

/// <summary>
/// Claims due rows with <c>FOR UPDATE SKIP LOCKED</c> inside a transaction, so concurrent dispatchers
/// never take the same message; delivers each to every consumer not yet recorded in
/// <c>outbox_deliveries</c> (Polly retries in process; a batch consumer gets all the claimed events of its type in
/// one call), then marks the batch's delivered messages processed in one statement and reschedules the others with exponential backoff, dead-lettering after
/// <see cref="OutboxOptions.MaxAttempts"/>.
/// </summary>
internal sealed partial class OutboxDispatcher<TContext> : IOutboxDispatcher
    where TContext : ModuleDbContext
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ILookup<string, IntegrationEventRegistration> _consumers;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;

    public OutboxDispatcher(
        IServiceScopeFactory scopes,
        IEnumerable<IntegrationEventRegistration> registrations,
        IOptions<OutboxOptions> options,
        TimeProvider time,
        ILogger<OutboxDispatcher<TContext>> logger)
    {
        _scopes = scopes;
        _consumers = registrations.ToLookup(r => r.EventType.FullName!, StringComparer.Ordinal);
        _options = options.Value;
        _time = time;
        _logger = logger;
        var builder = new ResiliencePipelineBuilder();
        if (_options.ImmediateRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.ImmediateRetries,
                Delay = _options.ImmediateRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            });
        }

        _retry = builder.Build();
    }

    public string Module => typeof(TContext).Name;

    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        var now = _time.UtcNow();
        var batch = await db.OutboxMessages
            .FromSqlRaw(ClaimSql(db.Schema), now, _options.BatchSize)
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }

        var ids = batch.Select(m => m.Id).ToList();
        var delivered = (await db.OutboxDeliveries
                .Where(d => ids.Contains(d.MessageId))
                .Select(d => new { d.MessageId, d.Consumer })
                .ToListAsync(ct))
            .Select(d => (d.MessageId, d.Consumer))
            .ToHashSet();

        var errors = new Dictionary<Guid, string>();
        foreach (var messages in batch.GroupBy(m => m.Type))
        {
            var consumers = _consumers[messages.Key].ToList();
            var events = consumers.Count == 0 ? [] : Read(messages, consumers[0].EventType, errors);
            foreach (var consumer in consumers)
            {
                var pending = events.Where(e => !delivered.Contains((e.Message.Id, consumer.Consumer))).ToList();
                await DeliverAsync(db, consumer, pending, errors, ct);
            }
        }

        foreach (var message in batch.Where(m => errors.ContainsKey(m.Id)))
        {
            Reschedule(message, errors[message.Id]);
        }

        await db.SaveChangesAsync(ct);

        // Every consumer has the rest: one statement marks them processed, not an UPDATE per message.
        var processed = batch.Where(m => !errors.ContainsKey(m.Id)).Select(m => m.Id).ToList();
        if (processed.Count > 0)
        {
            var processedAt = _time.UtcNow();
            await db.OutboxMessages.Where(m => processed.Contains(m.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.ProcessedAt, processedAt).SetProperty(m => m.LastError, (string?)null), ct);
        }

        await transaction.CommitAsync(ct);
        return batch.Count;
    }

    /// <summary>The schema comes from the module's own code, never from input.</summary>
    private static string ClaimSql(string schema) =>
        $$"""
        SELECT * FROM "{{schema}}".outbox_messages
        WHERE processed_at IS NULL AND dead_lettered_at IS NULL AND next_attempt_at <= {0}
        ORDER BY next_attempt_at, id
        LIMIT {1}
        FOR UPDATE SKIP LOCKED
        """;

    /// <summary>Deserializes each message once for all its consumers; an unreadable one is recorded in <paramref name="errors"/>.</summary>
    private List<(OutboxMessage Message, IIntegrationEvent Event)> Read(IEnumerable<OutboxMessage> messages, Type eventType, Dictionary<Guid, string> errors)
    {
        var events = new List<(OutboxMessage, IIntegrationEvent)>();
        foreach (var message in messages)
        {
            try
            {
                events.Add((message, (IIntegrationEvent?)JsonSerializer.Deserialize(message.Payload, eventType, IntegrationEventSerializer.Options)
                    ?? throw new JsonException("The payload is null.")));
            }
            catch (JsonException ex)
            {
                // A payload that no longer reads as its type cannot succeed by retrying now; it backs off and is dead-lettered.
                LogUnreadable(_logger, ex, message.Type, message.Id);
                errors[message.Id] = $"Unreadable payload: {ex.Message}";
            }
        }

        return events;
    }

    /// <summary>
    /// Delivers the pending events to one consumer: all in one call when it accepts batches, and one by one otherwise
    /// or when the batch failed, so a single failing event is retried on its own while the others get through.
    /// </summary>
    private async Task DeliverAsync(
        TContext db,
        IntegrationEventRegistration consumer,
        List<(OutboxMessage Message, IIntegrationEvent Event)> pending,
        Dictionary<Guid, string> errors,
        CancellationToken ct)
    {
        if (pending.Count > 1 && consumer.AcceptsBatches && await TryInvokeAsync(consumer, pending, ct) is null)
        {
            pending.ForEach(e => Record(db, consumer, e.Message));
            return;
        }

        foreach (var item in pending)
        {
            if (await TryInvokeAsync(consumer, [item], ct) is { } error)
            {
                errors[item.Message.Id] = error;
            }
            else
            {
                Record(db, consumer, item.Message);
            }
        }
    }

    /// <summary>Runs the consumer with the in-process retries; returns the failure, or null on success.</summary>
    private async Task<string?> TryInvokeAsync(IntegrationEventRegistration consumer, List<(OutboxMessage Message, IIntegrationEvent Event)> items, CancellationToken ct)
    {
        try
        {
            var events = items.Select(e => e.Event).ToList();
            await _retry.ExecuteAsync(
                async token =>
                {
                    await using var handlerScope = _scopes.CreateAsyncScope();
                    await consumer.InvokeAsync(handlerScope.ServiceProvider, events, token);
                },
                ct);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var first = items[0].Message;
            LogConsumerFailed(_logger, ex, consumer.Consumer, first.Type, first.Id, items.Count, first.Attempts + 1);
            return $"{consumer.Consumer}: {ex.GetType().Name}: {ex.Message}";
        }
    }

    private void Record(TContext db, IntegrationEventRegistration consumer, OutboxMessage message) =>
        db.OutboxDeliveries.Add(new OutboxDelivery { MessageId = message.Id, Consumer = consumer.Consumer, DeliveredAt = _time.UtcNow() });

    /// <summary>Schedules the retry of a message some consumer failed on (or dead-letters it).</summary>
    private void Reschedule(OutboxMessage message, string error)
    {
        message.MarkFailed(_time.UtcNow(), error, _options);
        if (message.DeadLetteredAt is not null)
        {
            LogDeadLettered(_logger, message.Type, message.Id, message.Attempts);
        }
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Outbox message {EventType} {EventId} has a payload that cannot be read")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string eventType, Guid eventId);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Outbox consumer {Consumer} failed on {EventType} {EventId} ({Count} event(s) in the call, attempt {Attempt})")]
    private static partial void LogConsumerFailed(ILogger logger, Exception exception, string consumer, string eventType, Guid eventId, int count, int attempt);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Outbox message {EventType} {EventId} dead-lettered after {Attempts} attempts")]
    private static partial void LogDeadLettered(ILogger logger, string eventType, Guid eventId, int attempts);
}
