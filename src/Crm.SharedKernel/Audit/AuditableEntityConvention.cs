using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// Checks every <see cref="IAuditable"/> entity of a module model when the model is built (start-up,
/// <c>migrate</c>, <c>dotnet ef</c>), so a shape the interceptor cannot record fails loudly there instead
/// of leaving changes out of the audit trail.
/// </summary>
internal sealed class AuditableEntityConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes().Where(e => typeof(IAuditable).IsAssignableFrom(e.ClrType)))
        {
            var name = entityType.ClrType.FullName;
            AuditMetadata.EntityTypeOf(entityType.ClrType);
            if (entityType.IsOwned())
            {
                throw new InvalidOperationException($"{name} is an owned entity type; only entity types with their own key can be {nameof(IAuditable)}.");
            }

            if (entityType.FindPrimaryKey()?.Properties is not [{ Name: nameof(IAuditable.Id) } key] || key.ClrType != typeof(Guid))
            {
                throw new InvalidOperationException($"{name} is {nameof(IAuditable)}, so its primary key must be its Guid Id property alone.");
            }

            if (entityType.GetNavigations().FirstOrDefault(n => n.TargetEntityType.IsOwned()) is { } owned)
            {
                throw new InvalidOperationException(
                    $"{name}.{owned.Name} is an owned entity, which the audit trail does not record; map it as a complex property instead.");
            }

            if (ComplexCollections(entityType).FirstOrDefault() is { } collection)
            {
                throw new InvalidOperationException(
                    $"{name}.{collection.Name} is a complex collection, which the audit trail does not record; make its items an auditable entity instead.");
            }
        }
    }

    private static IEnumerable<IConventionComplexProperty> ComplexCollections(IConventionTypeBase type) =>
        type.GetComplexProperties().SelectMany(p => p.IsCollection ? [p] : ComplexCollections(p.ComplexType));
}
