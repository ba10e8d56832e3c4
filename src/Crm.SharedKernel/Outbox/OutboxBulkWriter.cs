using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Crm.SharedKernel.Outbox;

/// <summary>
/// Writes many integration events to a module's outbox with one binary COPY, on the caller's connection and
/// transaction (bulk work such as imports, where one tracked entity per event would cost more than the change).
/// The rows are exactly those <see cref="Data.ModuleDbContext.AddIntegrationEvent"/> writes.
/// </summary>
public static class OutboxBulkWriter
{
    public static async Task<int> CopyAsync(NpgsqlConnection connection, string schema, IEnumerable<IIntegrationEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(events);
        var count = 0;
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY \"{schema}\".outbox_messages (id, type, payload, occurred_at, attempts, next_attempt_at) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var integrationEvent in events)
        {
            var message = OutboxMessage.Create(integrationEvent, JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), IntegrationEventSerializer.Options));
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(message.Id, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(message.Type, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(message.Payload, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(message.OccurredAt, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(message.Attempts, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(message.NextAttemptAt, NpgsqlDbType.TimestampTz, ct);
            count++;
        }

        await copy.CompleteAsync(ct);
        return count;
    }
}
