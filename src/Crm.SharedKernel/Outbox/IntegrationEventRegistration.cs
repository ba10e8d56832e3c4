using Microsoft.Extensions.DependencyInjection;

namespace Crm.SharedKernel.Outbox;

/// <summary>One consumer of one integration event type, as registered by the consuming module.</summary>
public sealed class IntegrationEventRegistration
{
    private readonly Func<IServiceProvider, IIntegrationEvent, CancellationToken, Task> _invoke;

    private IntegrationEventRegistration(Type eventType, Type handlerType, Func<IServiceProvider, IIntegrationEvent, CancellationToken, Task> invoke)
    {
        EventType = eventType;
        HandlerType = handlerType;
        _invoke = invoke;
    }

    public Type EventType { get; }

    public Type HandlerType { get; }

    /// <summary>The stable consumer name recorded in <c>outbox_deliveries</c>.</summary>
    public string Consumer => HandlerType.FullName!;

    internal static IntegrationEventRegistration For<TEvent, THandler>()
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent> =>
        new(typeof(TEvent), typeof(THandler), (services, e, ct) => services.GetRequiredService<THandler>().HandleAsync((TEvent)e, ct));

    internal Task InvokeAsync(IServiceProvider services, IIntegrationEvent integrationEvent, CancellationToken ct) =>
        _invoke(services, integrationEvent, ct);
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
}
