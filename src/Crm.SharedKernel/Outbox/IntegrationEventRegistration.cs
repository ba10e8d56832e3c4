using Microsoft.Extensions.DependencyInjection;

namespace Crm.SharedKernel.Outbox;

/// <summary>One consumer of one integration event type, as registered by the consuming module.</summary>
public sealed class IntegrationEventRegistration
{
    private readonly Func<IServiceProvider, IReadOnlyList<IIntegrationEvent>, CancellationToken, Task> _invoke;

    private IntegrationEventRegistration(
        Type eventType,
        Type handlerType,
        bool acceptsBatches,
        Func<IServiceProvider, IReadOnlyList<IIntegrationEvent>, CancellationToken, Task> invoke)
    {
        EventType = eventType;
        HandlerType = handlerType;
        AcceptsBatches = acceptsBatches;
        _invoke = invoke;
    }

    public Type EventType { get; }

    public Type HandlerType { get; }

    /// <summary>The stable consumer name recorded in <c>outbox_deliveries</c>.</summary>
    public string Consumer => HandlerType.FullName!;

    /// <summary>Whether the consumer takes several events in one call (<see cref="IIntegrationEventBatchHandler{TEvent}"/>).</summary>
    public bool AcceptsBatches { get; }

    internal static IntegrationEventRegistration For<TEvent, THandler>()
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent> =>
        new(typeof(TEvent), typeof(THandler), acceptsBatches: false, async (services, events, ct) =>
        {
            var handler = services.GetRequiredService<THandler>();
            foreach (var integrationEvent in events)
            {
                await handler.HandleAsync((TEvent)integrationEvent, ct);
            }
        });

    internal static IntegrationEventRegistration ForBatches<TEvent, THandler>()
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventBatchHandler<TEvent> =>
        new(typeof(TEvent), typeof(THandler), acceptsBatches: true, (services, events, ct) =>
            services.GetRequiredService<THandler>().HandleAsync(events.Cast<TEvent>().ToList(), ct));

    /// <summary>Delivers <paramref name="integrationEvents"/> (one, unless the consumer accepts batches).</summary>
    internal Task InvokeAsync(IServiceProvider services, IReadOnlyList<IIntegrationEvent> integrationEvents, CancellationToken ct) =>
        _invoke(services, integrationEvents, ct);
}

public static class IntegrationEventServiceCollectionExtensions
{
    /// <summary>Subscribes <typeparamref name="THandler"/> to <typeparamref name="TEvent"/> from any module's outbox.</summary>
    public static IServiceCollection AddIntegrationEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        services.AddScoped<THandler>();
        services.AddSingleton(IntegrationEventRegistration.For<TEvent, THandler>());
        return services;
    }

    /// <summary>Subscribes <typeparamref name="THandler"/> to <typeparamref name="TEvent"/>, delivered a batch at a time.</summary>
    public static IServiceCollection AddIntegrationEventBatchHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventBatchHandler<TEvent>
    {
        services.AddScoped<THandler>();
        services.AddSingleton(IntegrationEventRegistration.ForBatches<TEvent, THandler>());
        return services;
    }
}
