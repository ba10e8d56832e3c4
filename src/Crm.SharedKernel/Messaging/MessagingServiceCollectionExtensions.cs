using System.Reflection;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Crm.SharedKernel.Messaging;

/// <summary>Registers MediatR 5.1 with the platform behaviors, and a module's handlers and validators.</summary>
public static class MessagingServiceCollectionExtensions
{
    private static readonly Type[] HandlerInterfaces = [typeof(IRequestHandler<,>), typeof(INotificationHandler<>)];

    /// <summary>Adds the mediator and the pipeline every request runs through: logging outermost, then validation.</summary>
    public static IServiceCollection AddCrmMessaging(this IServiceCollection services)
    {
        services.TryAddScoped<ServiceFactory>(provider => provider.GetService!);
        services.TryAddScoped<IMediator, Mediator>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>)));
        services.TryAddEnumerable(ServiceDescriptor.Scoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>)));
        return services;
    }

    /// <summary>Registers every request handler, notification handler and validator of <paramref name="assembly"/>, internal ones included.</summary>
    public static IServiceCollection AddHandlersFromAssembly(this IServiceCollection services, Assembly assembly)
    {
        var concreteTypes = assembly.GetTypes().Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false });
        foreach (var type in concreteTypes)
        {
            foreach (var contract in type.GetInterfaces().Where(IsHandlerInterface))
            {
                services.TryAddEnumerable(ServiceDescriptor.Scoped(contract, type));
            }
        }

        // Scoped, so a validator may use a DbContext (e.g. uniqueness checks).
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Scoped, includeInternalTypes: true);
        return services;
    }

    private static bool IsHandlerInterface(Type contract) =>
        contract.IsGenericType && HandlerInterfaces.Contains(contract.GetGenericTypeDefinition());
}
