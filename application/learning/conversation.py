"""The recent exchanges of each channel, so `!correct` knows which reply it corrects."""

from collections import OrderedDict, deque

from domain.feedback import Exchange
from domain.ids import ChannelId, MessageId, UserId


class ConversationMemory:
    def __init__(self, per_channel: int = 50, channels: int = 5000) -> None:
        self._per_channel = per_channel
        self._channels = channels
        self._by_channel: OrderedDict[ChannelId, deque[Exchange]] = OrderedDict()

    def remember(self, exchange: Exchange) -> None:
        history = self._by_channel.get(exchange.channel_id)
        if history is None:
            history = deque(maxlen=self._per_channel)
            self._by_channel[exchange.channel_id] = history
            while len(self._by_channel) > self._channels:
                self._by_channel.popitem(last=False)
        self._by_channel.move_to_end(exchange.channel_id)
        history.append(exchange)

    def find(self, channel_id: ChannelId, replying_to: MessageId | None) -> Exchange | None:
        """The exchange whose user message or reply is `replying_to`, else the channel's latest."""
        history = self._by_channel.get(channel_id)
        if not history:
            return None
        if replying_to is not None:
            for exchange in reversed(history):
                if replying_to in (exchange.reply_message_id, exchange.user_message_id):
                    return exchange
            return None
        return history[-1]

    def forget_author(self, author_id: UserId) -> int:
        """Drop `author_id`'s exchanges in every channel (it is their memory wherever it was); how many there were."""
        removed = 0
        for history in self._by_channel.values():
            kept = [exchange for exchange in history if exchange.author_id != author_id]
            removed += len(history) - len(kept)
            if len(kept) != len(history):
                history.clear()
                history.extend(kept)
        return removed
