using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Outbox;

internal static class OutboxModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("outbox_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).ValueGeneratedNever();
            message.Property(m => m.Type).HasMaxLength(500);
            message.Property(m => m.Payload).HasColumnType("jsonb");
            message.Property(m => m.LastError).HasMaxLength(2000);
            message.HasIndex(m => new { m.NextAttemptAt, m.Id })
                .HasDatabaseName("ix_outbox_messages_pending")
                .HasFilter("processed_at IS NULL AND dead_lettered_at IS NULL");
        });

        modelBuilder.Entity<OutboxDelivery>(delivery =>
        {
            delivery.ToTable("outbox_deliveries");
            delivery.HasKey(d => new { d.MessageId, d.Consumer });
            delivery.Property(d => d.Consumer).HasMaxLength(300);
        });
    }
}
