using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of sales orders and their lines.</summary>
internal static class OrdersModel
{
    public const string OrderNumberSequence = "order_number_seq";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(OrderNumberSequence);
        modelBuilder.Entity<Order>(order =>
        {
            order.ToTable("orders", t =>
            {
                t.HasCheckConstraint("ck_orders_total", "total >= 0");
                t.HasCheckConstraint(
                    "ck_orders_credit_override",
                    "(credit_override_at IS NULL AND credit_override_reason IS NULL) OR (credit_override_at IS NOT NULL AND credit_override_reason IS NOT NULL)");
            });
            order.HasKey(o => o.Id);
            order.Property(o => o.Number).HasMaxLength(20);
            order.HasIndex(o => o.Number).IsUnique();
            order.Property(o => o.ExternalId).HasMaxLength(Order.MaxExternalIdLength);
            order.Property(o => o.Currency).HasMaxLength(3);
            order.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            order.Property(o => o.Notes).HasMaxLength(Order.MaxNotesLength);
            order.Property(o => o.CancellationReason).HasMaxLength(Order.MaxReasonLength);
            order.Property(o => o.CreditOverrideReason).HasMaxLength(Order.MaxReasonLength);
            order.Property(o => o.Subtotal).HasPrecision(18, 2);
            order.Property(o => o.DiscountTotal).HasPrecision(18, 2);
            order.Property(o => o.TaxTotal).HasPrecision(18, 2);
            order.Property(o => o.Total).HasPrecision(18, 2);
            order.Property(o => o.Version).IsRowVersion();
            order.Ignore(o => o.IsDraft);
            order.Ignore(o => o.HasShipments);
            order.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
            order.Navigation(o => o.Lines).AutoInclude();
            order.HasOne<Opportunity>().WithMany().HasForeignKey(o => o.OpportunityId).OnDelete(DeleteBehavior.Restrict);
            order.HasOne<Partner>().WithMany().HasForeignKey(o => o.PartnerId).OnDelete(DeleteBehavior.Restrict);
            order.HasOne<Quote>().WithMany().HasForeignKey(o => o.QuoteId).OnDelete(DeleteBehavior.Restrict);

            // One order per quote and per ERP id: the unique indexes decide concurrent creates.
            order.HasIndex(o => o.QuoteId).IsUnique().HasFilter("quote_id IS NOT NULL");
            order.HasIndex(o => o.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");

            // Lists newest first by owner and by customer (the created range filter rides on them too).
            order.HasIndex(o => new { o.OwnerId, o.CreatedAt, o.Id });
            order.HasIndex(o => new { o.CustomerId, o.CreatedAt, o.Id });
            order.HasIndex(o => o.OpportunityId);
            order.HasIndex(o => o.PartnerId);

            // The credit check sums a customer's open orders: only confirmed and (partially) shipped ones are in this index.
            order.HasIndex(o => o.CustomerId).IncludeProperties(o => o.Total).HasFilter("status IN ('Confirmed', 'PartiallyShipped', 'Shipped')")
                .HasDatabaseName("ix_orders_open_by_customer");
        });

        modelBuilder.Entity<OrderLine>(line =>
        {
            PricedLineModel.Configure(line, "order_lines");
            line.HasIndex(l => new { l.OrderId, l.Position }).IsUnique();
            line.Property(l => l.ShippedQuantity).HasPrecision(18, 3);
            line.Property(l => l.ShippedAmount).HasPrecision(18, 2);
            line.Ignore(l => l.LeftToShip);
            line.ToTable("order_lines", t => t.HasCheckConstraint("ck_order_lines_shipped_quantity", "shipped_quantity BETWEEN 0 AND quantity"));
        });

        modelBuilder.Entity<Shipment>(shipment =>
        {
            shipment.ToTable("shipments", t =>
            {
                t.HasCheckConstraint("ck_shipments_cancellation", "(cancelled_at IS NULL) = (cancellation_reason IS NULL)");
            });
            shipment.HasKey(s => s.Id);
            shipment.Property(s => s.Carrier).HasMaxLength(Shipment.MaxCarrierLength);
            shipment.Property(s => s.TrackingNumber).HasMaxLength(Shipment.MaxTrackingNumberLength);
            shipment.Property(s => s.Note).HasMaxLength(Shipment.MaxNoteLength);
            shipment.Property(s => s.CancellationReason).HasMaxLength(Shipment.MaxReasonLength);
            shipment.Property(s => s.Amount).HasPrecision(18, 2);
            shipment.Property(s => s.Currency).HasMaxLength(3);
            shipment.Ignore(s => s.IsCancelled);
            shipment.Property(s => s.Version).IsRowVersion();
            shipment.HasOne<Order>().WithMany().HasForeignKey(s => s.OrderId).OnDelete(DeleteBehavior.Restrict);
            shipment.HasMany(s => s.Lines).WithOne().HasForeignKey(l => l.ShipmentId).OnDelete(DeleteBehavior.Cascade);
            shipment.Navigation(s => s.Lines).AutoInclude();

            // An order's shipments numbered once each, in the order they were recorded (the list's keyset).
            shipment.HasIndex(s => new { s.OrderId, s.Number }).IsUnique();
        });

        modelBuilder.Entity<ShipmentLine>(line =>
        {
            line.ToTable("shipment_lines", t => t.HasCheckConstraint("ck_shipment_lines_quantity", "quantity > 0"));
            line.HasKey(l => l.Id);
            line.Property(l => l.Quantity).HasPrecision(18, 3);
            line.Property(l => l.Amount).HasPrecision(18, 2);
            line.HasOne<OrderLine>().WithMany().HasForeignKey(l => l.OrderLineId).OnDelete(DeleteBehavior.Restrict);
            line.HasIndex(l => l.OrderLineId);
        });
    }
}
