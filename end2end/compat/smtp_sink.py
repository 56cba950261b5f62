"""A real SMTP server for the tests (aiosmtpd): accepts every mail and writes each one, decoded,
as a JSON file into a folder: {"mail_from", "rcpt_tos", "subject", "message_id", "date",
"text", "html"}. Usage: smtp_sink.py PORT FOLDER [DELAY_SECONDS]: with a delay, each mail's
DATA is answered that much later (a slow server). Prints "ready" once it accepts connections."""

import asyncio
import json
import os
import sys
import time
import uuid
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class WriteJson:
    def __init__(self, folder, delay):
        self.folder = folder
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": message["Subject"],
            "message_id": message["Message-ID"],
            "date": message["Date"],
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
        }
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.json"
        # Written under a temporary name, then renamed: readers never see half a file.
        partial = os.path.join(self.folder, name + ".part")
        with open(partial, "w") as out:
            json.dump(record, out)
        os.rename(partial, os.path.join(self.folder, name))
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    os.makedirs(folder, exist_ok=True)
    controller = Controller(WriteJson(folder, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
