using Npgsql;
using NpgsqlTypes;

namespace Crm.SharedKernel.Idempotency;

/// <summary>Plain SQL over <c>platform.idempotency_keys</c>: one or two statements per idempotent POST.</summary>
internal sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    public async Task<bool> TryClaimAsync(string scope, string key, string requestHash, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO platform.idempotency_keys (scope, key, request_hash, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (scope, key) DO NOTHING
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = requestHash });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = expiresAt });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT request_hash, status_code, content_type, location, e_tag, body, created_at, expires_at
            FROM platform.idempotency_keys WHERE scope = $1 AND key = $2
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new IdempotencyRecord
        {
            Scope = scope,
            Key = key,
            RequestHash = reader.GetString(0),
            StatusCode = reader.IsDBNull(1) ? null : reader.GetInt32(1),
            ContentType = reader.IsDBNull(2) ? null : reader.GetString(2),
            Location = reader.IsDBNull(3) ? null : reader.GetString(3),
            ETag = reader.IsDBNull(4) ? null : reader.GetString(4),
            Body = reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
            ExpiresAt = reader.GetFieldValue<DateTimeOffset>(7),
        };
    }

    public async Task CompleteAsync(string scope, string key, int statusCode, string? contentType, string? location, string? etag, byte[] body, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE platform.idempotency_keys
            SET status_code = $3, content_type = $4, location = $5, e_tag = $6, body = $7
            WHERE scope = $1 AND key = $2
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = statusCode });
        command.Parameters.Add(new() { Value = (object?)contentType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = (object?)location ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = (object?)etag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = body, NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Drops an unfinished claim (the request failed), so the client's retry runs again.</summary>
    public async Task ReleaseAsync(string scope, string key, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM platform.idempotency_keys WHERE scope = $1 AND key = $2 AND status_code IS NULL");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes one record if it is the one the caller saw (expired, or abandoned in progress).</summary>
    public async Task RemoveStaleAsync(IdempotencyRecord stale, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM platform.idempotency_keys WHERE scope = $1 AND key = $2 AND created_at = $3");
        command.Parameters.Add(new() { Value = stale.Scope });
        command.Parameters.Add(new() { Value = stale.Key });
        command.Parameters.Add(new() { Value = stale.CreatedAt });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM platform.idempotency_keys WHERE expires_at <= $1");
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
