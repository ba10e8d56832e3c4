using System.Collections.Concurrent;
using Crm.SharedKernel.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sample;

/// <summary>Records every delivery (consumer, event id) so tests can count them.</summary>
internal static class DeliveryLog
{
    public static ConcurrentQueue<(string Consumer, Guid EventId)> Deliveries { get; } = new();

    /// <summary>The events of each call <see cref="BatchConsumer"/> received, successful or not.</summary>
    public static ConcurrentQueue<Guid[]> BatchCalls { get; } = new();

    /// <summary>While positive, <see cref="FlakyConsumer"/> fails and counts down.</summary>
    public static int FlakyFailuresRemaining;

    public static void Reset()
    {
        Deliveries.Clear();
        BatchCalls.Clear();
        Interlocked.Exchange(ref FlakyFailuresRemaining, 0);
    }
}

internal sealed class AuditConsumer : IIntegrationEventHandler<NoteCreated>
{
    public Task HandleAsync(NoteCreated integrationEvent, CancellationToken ct)
    {
        DeliveryLog.Deliveries.Enqueue((nameof(AuditConsumer), integrationEvent.EventId));
        return Task.CompletedTask;
    }
}

internal sealed class FlakyConsumer : IIntegrationEventHandler<NoteCreated>
{
    public Task HandleAsync(NoteCreated integrationEvent, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref DeliveryLog.FlakyFailuresRemaining) >= 0)
        {
            throw new InvalidOperationException("Downstream unavailable");
        }

        DeliveryLog.Deliveries.Enqueue((nameof(FlakyConsumer), integrationEvent.EventId));
        return Task.CompletedTask;
    }
}

/// <summary>A test event with a consumer that takes batches.</summary>
internal sealed record NoteTagged(Guid NoteId, string Tag, DateTimeOffset At) : IntegrationEvent(At)
{
    /// <summary>A tag <see cref="BatchConsumer"/> cannot handle: any call that contains it fails.</summary>
    public const string Poison = "poison";
}

internal sealed class BatchConsumer : IIntegrationEventBatchHandler<NoteTagged>
{
    public Task HandleAsync(IReadOnlyList<NoteTagged> integrationEvents, CancellationToken ct)
    {
        DeliveryLog.BatchCalls.Enqueue(integrationEvents.Select(e => e.EventId).ToArray());
        if (integrationEvents.Any(e => e.Tag == NoteTagged.Poison))
        {
            throw new InvalidOperationException("Cannot tag with poison");
        }

        foreach (var integrationEvent in integrationEvents)
        {
            DeliveryLog.Deliveries.Enqueue((nameof(BatchConsumer), integrationEvent.EventId));
        }

        return Task.CompletedTask;
    }
}

internal static class OutboxTestConsumerRegistration
{
    public static IServiceCollection AddOutboxTestConsumers(this IServiceCollection services) => services
        .AddIntegrationEventHandler<NoteCreated, AuditConsumer>()
        .AddIntegrationEventHandler<NoteCreated, FlakyConsumer>()
        .AddIntegrationEventBatchHandler<NoteTagged, BatchConsumer>();
}
