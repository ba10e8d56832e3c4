using System.Text.Json;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Base of every module's DbContext: the module's own schema, its outbox so integration events commit in
/// the same transaction as the change that raised them, and the audit trail, written the same way.
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

    /// <summary>
    /// Records one audit entry for a set-based change of <typeparamref name="TEntity"/> records
    /// (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, an import), which the audit interceptor cannot see row by
    /// row. It is written by the next <c>SaveChangesAsync</c>, with the time and actor of that save: run the
    /// bulk statement and that save in one transaction. Nothing is recorded when no record was affected.
    /// </summary>
    /// <param name="action">What the statement did to each record.</param>
    /// <param name="affectedCount">The rows the statement reported.</param>
    /// <param name="values">
    /// Field values shared by every affected record, by camelCase name: the values set (recorded as new
    /// values) or, for a delete, what the deleted records had in common (recorded as old values).
    /// </param>
    /// <param name="ownerId">The owner whose records were changed, when the change was limited to one owner.</param>
    public void AddAuditSummary<TEntity>(AuditAction action, int affectedCount, IReadOnlyDictionary<string, object?>? values = null, Guid? ownerId = null)
        where TEntity : class, IAuditable
    {
        ArgumentOutOfRangeException.ThrowIfNegative(affectedCount);
        if (affectedCount == 0)
        {
            return;
        }

        using var changes = new AuditChanges();
        foreach (var (field, value) in values ?? new Dictionary<string, object?>())
        {
            var side = AuditChanges.Side.Of(value);
            changes.Add(
                JsonNamingPolicy.CamelCase.ConvertName(field),
                action == AuditAction.Deleted ? side : AuditChanges.Side.Absent,
                action == AuditAction.Deleted ? AuditChanges.Side.Absent : side,
                redacted: false);
        }

        Set<AuditEntry>().Add(AuditEntry.Summary(action, AuditMetadata.EntityTypeOf(typeof(TEntity)), affectedCount, ownerId, changes.Build()));
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.HasDefaultSchema(Schema);
        OutboxModel.Configure(modelBuilder);
        AuditModel.Configure(modelBuilder, ownedByThisContext: false);
        base.OnModelCreating(modelBuilder);
    }

    /// <summary>Adds the check of auditable entities; a derived context that overrides this calls the base first.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Conventions.Add(_ => new AuditableEntityConvention());
        base.ConfigureConventions(configurationBuilder);
    }
}
