using System.Text.Json;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Base of every module's DbContext: the module's own schema, and its outbox so integration events
/// commit in the same transaction as the change that raised them.
/// </summary>
public abstract class ModuleDbContext(DbContextOptions options, string schema) : DbContext(options)
{
    /// <summary>The PostgreSQL schema that holds this module's tables (and its migrations history).</summary>
    public string Schema { get; } = schema;

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<OutboxDelivery> OutboxDeliveries => Set<OutboxDelivery>();

    /// <summary>Queues an integration event; it is written when <c>SaveChangesAsync</c> commits the change.</summary>
    public void AddIntegrationEvent(IIntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var payload = JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), IntegrationEventSerializer.Options);
        OutboxMessages.Add(OutboxMessage.Create(integrationEvent, payload));
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.HasDefaultSchema(Schema);
        OutboxModel.Configure(modelBuilder);
        base.OnModelCreating(modelBuilder);
    }
}
